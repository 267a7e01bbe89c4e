/**
 * UndefinedVar: a variable used in an instruction Docker expands (ADD, COPY, ENV,
 * EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR, ARG defaults) that no ARG or
 * ENV of the stage declares. Shell and exec forms of RUN/CMD/ENTRYPOINT are the
 * shell's business and are not looked at.
 */
import type { Instruction } from '../ast.ts';
import { closestMatch } from '../suggest.ts';
import { ancestry } from './instructions.ts';
import type { LintCheck, LintContext, LintStage } from './model.ts';
import { references } from './scope.ts';

/** Defined in every stage: BuildKit sets PATH when the image has none; proxy ARGs need no declaration. */
const ALWAYS = [
  'PATH',
  ...['HTTP', 'HTTPS', 'FTP', 'NO', 'ALL'].flatMap((p) => [`${p}_PROXY`, `${p.toLowerCase()}_proxy`]),
];

/** The words of an instruction that Docker expands, other than ARG/ENV which are handled in order. */
function expandedWords(i: Instruction): readonly string[] {
  switch (i.kind) {
    case 'ADD':
    case 'COPY':
      return [
        ...i.sources.filter((s) => !s.startsWith('<<')),
        i.dest,
        ...(i.chown ? [i.chown] : []),
        ...(i.chmod ? [i.chmod] : []),
      ];
    case 'EXPOSE':
      return i.ports;
    case 'LABEL':
      return i.pairs.flatMap((p) => [p.key, p.value]);
    case 'STOPSIGNAL':
      return [i.signal];
    case 'USER':
      return [i.user];
    case 'VOLUME':
      return i.paths;
    case 'WORKDIR':
      return [i.path];
    default:
      return [];
  }
}

/**
 * Names defined when the stage starts, or undefined when that depends on an image
 * whose environment the caller did not supply: then nothing can be called undefined.
 */
function baseNames(ctx: LintContext, stage: LintStage): Set<string> | undefined {
  const names = new Set(ALWAYS);
  const chain = ancestry(ctx, stage);
  // The image name with global ARG defaults substituted, as a caller that resolved it would know it.
  const root = ctx.defaultImage((chain.at(-1) ?? stage).from.image);
  if (root.toLowerCase() !== 'scratch') {
    const imageEnv = ctx.baseImageEnv(root);
    if (imageEnv === undefined) return undefined;
    for (const name of imageEnv) names.add(name);
  }
  // Stages this one builds on contribute their ENV (and nothing of their ARGs).
  for (const s of chain.reverse()) {
    for (const i of s.instructions) if (i.kind === 'ENV') for (const p of i.pairs) names.add(p.key);
  }
  return names;
}

export const undefinedVar = {
  name: 'UndefinedVar',
  run(ctx) {
    for (const stage of ctx.stages) {
      const defined = baseNames(ctx, stage);
      if (defined === undefined) continue;
      const check = (i: Instruction, words: readonly string[]): void => {
        const reported = new Set<string>();
        for (const name of words.flatMap((w) => references(w, ctx.ast.escape))) {
          if (defined.has(name) || reported.has(name)) continue;
          reported.add(name);
          const near = closestMatch(name, [...defined]);
          ctx.report(
            i.range,
            `Usage of undefined variable '$${name}'${near === undefined ? '' : ` (did you mean $${near}?)`}`,
            `declare it with ARG ${name} or ENV ${name}=... in this stage`,
          );
        }
      };
      for (const i of stage.instructions) {
        if (i.kind === 'ARG') {
          for (const a of i.args) {
            if (a.defaultValue !== undefined) check(i, [a.defaultValue]);
            defined.add(a.name);
          }
        } else if (i.kind === 'ENV') {
          // All values of one ENV see the environment from before it.
          check(
            i,
            i.pairs.map((p) => p.value),
          );
          for (const p of i.pairs) defined.add(p.key);
        } else check(i, expandedWords(i));
      }
    }
  },
} satisfies LintCheck;
