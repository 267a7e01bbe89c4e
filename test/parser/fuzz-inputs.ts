// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Dockerfile text with ${VAR} words.
/**
 * Inputs for the parser fuzz test and bench/fuzz-parser.ts: random Dockerfile-like
 * text, random noise over the characters Dockerfiles care about, and mutations of
 * real files. Deterministic for a given seed.
 */
import {
  type Diagnostic,
  formatDiagnostic,
  lintDockerfile,
  parseDockerfile,
  printDockerfile,
} from '../../src/parser/index.ts';
import { withoutLocations } from './support.ts';

export type Random = () => number;

/** mulberry32: small, fast, good enough for test inputs. */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

const KEYWORDS = [
  'FROM',
  'RUN',
  'CMD',
  'ENTRYPOINT',
  'SHELL',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ARG',
  'COPY',
  'ADD',
];
const MORE_KEYWORDS = [
  'VOLUME',
  'USER',
  'WORKDIR',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'run',
  'From',
  'RUNN',
];
const PIECES = [
  ...KEYWORDS,
  ...MORE_KEYWORDS,
  ' ',
  ' ',
  ' ',
  '\t',
  '\n',
  '\n',
  '\r\n',
  '\\\n',
  '`\n',
  '\\',
  '`',
  '"',
  "'",
  '$',
  '${',
  '}',
  '${A:-',
  '${B?',
  '[',
  ']',
  '", "',
  ',',
  '=',
  '--',
  '--mount=',
  'type=cache,target=/x',
  '--from=',
  '--chmod=',
  '--platform=',
  '<<EOF',
  '<<-EOF',
  '<<"EOF"',
  'EOF',
  '\tEOF',
  '#',
  '# escape=`',
  '# syntax=x',
  '# check=skip=all',
  'AS',
  'as',
  'alpine',
  'a b',
  '/path',
  'x=y',
  'NONE',
  'CMD',
  '\uFEFF',
  'é',
  '한',
  '\u00a0',
  '\u2028',
  '\v',
  '{',
  '[1]',
  'null',
];

export function randomNoise(rng: Random, maxPieces = 60): string {
  let out = '';
  const n = Math.floor(rng() * maxPieces);
  for (let i = 0; i < n; i++)
    out += rng() < 0.15 ? String.fromCharCode(Math.floor(rng() * 0x3000)) : pick(rng, PIECES);
  return out;
}

const LINES = [
  'FROM alpine AS build',
  'FROM --platform=$BUILDPLATFORM ${IMAGE:-busybox}',
  'RUN echo "$HOME" && ls \\\n  -la',
  'RUN --mount=type=cache,target=/root/.cache,sharing=locked make',
  'RUN ["sh", "-c", "echo hi"]',
  'RUN <<EOF\necho heredoc\nEOF',
  'RUN <<-EOT cat\n\tindented\n\tEOT',
  'COPY --from=build --chown=1:1 a b /dst/',
  'COPY <<EOF /file\ncontent\nEOF',
  'ADD --checksum=sha256:abc https://x/y /z',
  'ENV A=1 B="two words"',
  'ENV LEGACY some value',
  'ARG V=1 W',
  'LABEL a=b "c d"=e',
  'EXPOSE 80/tcp 53/udp',
  'WORKDIR /app',
  'USER 1000:1000',
  'VOLUME ["/data"]',
  'HEALTHCHECK --interval=5s CMD true',
  'ONBUILD RUN make',
  'SHELL ["/bin/bash", "-c"]',
  'CMD ["x"]',
  'ENTRYPOINT echo hi',
  'STOPSIGNAL SIGTERM',
  '# a comment',
  '',
];

export function randomDockerfile(rng: Random): string {
  const lines =
    rng() < 0.3 ? [pick(rng, ['# syntax=docker/dockerfile:1', '# escape=`', '# check=error=true'])] : [];
  const n = 1 + Math.floor(rng() * 12);
  for (let i = 0; i < n; i++) lines.push(rng() < 0.1 ? randomNoise(rng, 8) : pick(rng, LINES));
  return lines.join(rng() < 0.1 ? '\r\n' : '\n');
}

/** Deletes, duplicates, swaps or inserts spans of a real file. */
export function mutate(rng: Random, text: string): string {
  let out = text;
  const edits = 1 + Math.floor(rng() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rng() * (out.length + 1));
    const len = Math.floor(rng() * 40);
    const choice = rng();
    if (choice < 0.3) out = out.slice(0, at) + out.slice(at + len);
    else if (choice < 0.55) out = out.slice(0, at) + pick(rng, PIECES) + out.slice(at);
    else if (choice < 0.75) out = out.slice(0, at) + out.slice(at, at + len) + out.slice(at);
    else if (choice < 0.9) out = out.slice(0, at) + randomNoise(rng, 6) + out.slice(at);
    else out = out.slice(at) + out.slice(0, at);
  }
  return out;
}

export function* fuzzInputs(rng: Random, count: number, seeds: readonly string[]): Generator<string> {
  for (let i = 0; i < count; i++) {
    const kind = rng();
    if (kind < 0.35) yield randomDockerfile(rng);
    else if (kind < 0.55) yield randomNoise(rng);
    else if (seeds.length > 0) yield mutate(rng, pick(rng, seeds));
    else yield mutate(rng, randomDockerfile(rng));
  }
}

/** What is wrong with a diagnostic's location, if anything. */
export function rangeProblem(text: string, d: Diagnostic): string | undefined {
  const { start, end } = d.range;
  if (start.line < 1 || start.column < 1 || end.line < start.line)
    return `bad range ${JSON.stringify(d.range)}`;
  if (start.offset > end.offset || end.offset > text.length)
    return `range outside the text ${JSON.stringify(d.range)}`;
  return undefined;
}

/**
 * The properties every input must have: parsing, linting and formatting never
 * throw; every diagnostic has a real location; an error-free parse prints to a
 * Dockerfile that parses back to the same AST. Returns what was violated.
 */
export function checkInput(text: string): string[] {
  const problems: string[] = [];
  try {
    const result = parseDockerfile(text);
    for (const d of [...result.errors, ...result.warnings]) {
      const problem = rangeProblem(text, d);
      if (problem) problems.push(`${d.code}: ${problem}`);
      formatDiagnostic(d, text);
    }
    lintDockerfile(result);
    if (result.errors.length === 0) {
      const again = parseDockerfile(printDockerfile(result.ast));
      if (again.errors.length > 0)
        problems.push(`printed Dockerfile does not parse: ${again.errors[0]?.message}`);
      else if (JSON.stringify(withoutLocations(again.ast)) !== JSON.stringify(withoutLocations(result.ast))) {
        problems.push('printed Dockerfile parses to a different AST');
      }
    }
  } catch (error) {
    problems.push(`threw: ${(error as Error).stack ?? String(error)}`);
  }
  return problems;
}
