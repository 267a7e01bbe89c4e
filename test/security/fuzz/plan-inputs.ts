// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Dockerfile text with ${VAR} words.
/**
 * Fuzzing word expansion where builds meet it: random `${…}` words (nested, with every modifier,
 * quotes and escapes) put into the instructions that expand them, planned with planBuild. Every
 * input must plan or fail with a TsbuildError located on a line of the input, never anything else.
 * Shared by the CI test and bench/fuzz-expand.ts.
 */
import { isTsbuildError } from '../../../src/errors.ts';
import { expandWord, expandWords, parseDockerfile } from '../../../src/parser/index.ts';
import { planBuild } from '../../../src/plan/index.ts';
import { createRandom, mutate, type Random, randomNoise } from '../../parser/fuzz-inputs.ts';

export { createRandom };

const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

const NAMES = ['A', 'B', 'EMPTY', 'UNSET', 'PATH', 'HOME', '1', '@', '_', 'é'];
const MODIFIERS = [':-', '-', ':+', '+', ':?', '?', '#', '##', '%', '%%', '/', '//', ':=', '', '^^', ','];
const LITERALS = [
  'x',
  'a b',
  '"q"',
  "'s'",
  '\\$',
  '\\',
  '`',
  '*',
  '?',
  '[a-z]',
  '/',
  '}',
  '{',
  '$',
  ' ',
  '"',
  "'",
  '\t',
];

/** A word with up to `depth` levels of nested substitutions. */
export function randomWord(rng: Random, depth = 4): string {
  let out = '';
  const parts = 1 + Math.floor(rng() * 4);
  for (let i = 0; i < parts; i++) {
    const r = rng();
    if (r < 0.4 && depth > 0) {
      const name = pick(rng, NAMES);
      const mod = pick(rng, MODIFIERS);
      const inner = mod === '' ? '' : randomWord(rng, depth - 1);
      const close = rng() < 0.95 ? '}' : '';
      out +=
        mod === '/' || mod === '//'
          ? `\${${name}${mod}${inner}/${randomWord(rng, depth - 1)}${close}`
          : `\${${name}${mod}${inner}${close}`;
    } else if (r < 0.55) out += `$${pick(rng, NAMES)}`;
    else if (r < 0.65) out += `"${randomWord(rng, depth - 1)}"`;
    else if (r < 0.9) out += pick(rng, LITERALS);
    else out += randomNoise(rng, 3);
  }
  return out;
}

const TEMPLATES: readonly ((w: string) => string)[] = [
  (w) => `ARG X=${w}`,
  (w) => `ENV Y=${w}`,
  (w) => `ENV Z ${w}`,
  (w) => `LABEL l=${w}`,
  (w) => `WORKDIR /w/${w}`,
  (w) => `USER ${w}`,
  (w) => `EXPOSE ${w}`,
  (w) => `STOPSIGNAL ${w}`,
  (w) => `VOLUME ${w}`,
  (w) => `COPY ${w} /dst/`,
  (w) => `COPY --chown=${w} a /dst/`,
  (w) => `ADD ${w} /dst/`,
  (w) => `RUN --mount=type=cache,target=${w} true`,
  (w) => `FROM ${w} AS s2`,
];

/** A Dockerfile whose instructions expand random words, or a mutation of one. */
export function randomPlanInput(rng: Random): string {
  const lines = ['ARG A=alpha', 'FROM scratch', 'ARG B="b c"', 'ENV EMPTY= HOME=/root'];
  const n = 1 + Math.floor(rng() * 6);
  for (let i = 0; i < n; i++) lines.push(pick(rng, TEMPLATES)(randomWord(rng)));
  const text = lines.join('\n');
  return rng() < 0.2 ? mutate(rng, text) : text;
}

const PLATFORM = { os: 'linux', architecture: 'amd64' };
const ENV = new Map([
  ['A', 'a b'],
  ['B', ''],
  ['PATH', '/usr/bin:/bin'],
  ['L', 'x'.repeat(100)],
]);

/** What went wrong with one input, or undefined. Words are expanded directly too. */
export async function checkPlanInput(text: string, rng: Random): Promise<string | undefined> {
  const lineCount = text.split('\n').length;
  const parsed = parseDockerfile(text);
  try {
    await planBuild(parsed.ast, {
      file: 'Dockerfile',
      buildArgs: new Map([['X', 'from-cli']]),
      platform: PLATFORM,
      resolveImage: async (name) => ({
        ref: name,
        digest: `sha256:${'0'.repeat(64)}`,
        config: { env: [], exposedPorts: [], labels: [], volumes: [], onBuild: [] },
      }),
    });
  } catch (error) {
    if (!isTsbuildError(error))
      return `planBuild threw a non-TsbuildError: ${(error as Error).stack ?? String(error)}`;
    // Errors about the Dockerfile carry a location on one of its lines.
    if (error.code.startsWith('DF_') && parsed.errors.length === 0) {
      const line = error.location?.line;
      if (line === undefined || line < 1 || line > lineCount)
        return `${error.code} without a location: ${error.message}`;
    }
  }
  const word = randomWord(rng);
  for (const expand of [expandWord, expandWords]) {
    try {
      expand(word, ENV, { escape: rng() < 0.5 ? '\\' : '`' });
    } catch (error) {
      if (!isTsbuildError(error, 'DF_EXPAND'))
        return `expanding ${JSON.stringify(word)} threw ${String(error)}`;
    }
  }
  return undefined;
}
