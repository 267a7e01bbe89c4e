/**
 * Checks on FROM lines and the global ARGs they use: UndefinedArgInFrom,
 * InvalidDefaultArgInFrom, RedundantTargetPlatform.
 */
import { expandWord } from '../expand/expand.ts';
import { closestMatch } from '../suggest.ts';
import type { LintCheck, LintContext } from './model.ts';
import { isValidReference } from './reference.ts';

/** Platform ARGs BuildKit defines for FROM lines, with stand-in values for evaluating defaults. */
const PREDEFINED = new Map([
  ['BUILDPLATFORM', 'linux/amd64'],
  ['BUILDOS', 'linux'],
  ['BUILDARCH', 'amd64'],
  ['BUILDVARIANT', ''],
  ['TARGETPLATFORM', 'linux/amd64'],
  ['TARGETOS', 'linux'],
  ['TARGETARCH', 'amd64'],
  ['TARGETVARIANT', ''],
]);

/** Global ARG names and their default values, each expanded with the ARGs before it (unset without a default). */
export function globals(ctx: LintContext): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const lookup = (name: string): string | undefined => (out.has(name) ? out.get(name) : PREDEFINED.get(name));
  for (const arg of ctx.globalArgs) {
    for (const a of arg.args) {
      let value = a.defaultValue;
      try {
        if (value !== undefined) value = expandWord(value, lookup, { escape: ctx.ast.escape });
      } catch {
        // Left as written: the build reports malformed defaults.
      }
      out.set(a.name, value);
    }
  }
  return out;
}

/** Names referenced by a word, or none when the word does not expand. */
export function references(word: string, escapeChar: '\\' | '`'): string[] {
  const names: string[] = [];
  try {
    expandWord(word, () => undefined, { escape: escapeChar, onVariable: (name) => names.push(name) });
  } catch {
    // A malformed word is the build's error to report, not a lint finding.
  }
  return names;
}

export const undefinedArgInFrom = {
  name: 'UndefinedArgInFrom',
  run(ctx) {
    const declared = globals(ctx);
    const known = [...declared.keys(), ...PREDEFINED.keys()];
    for (const { from } of ctx.stages) {
      const words = [from.image, ...(from.platform === undefined ? [] : [from.platform])];
      const reported = new Set<string>();
      for (const name of words.flatMap((w) => references(w, ctx.ast.escape))) {
        if (declared.has(name) || PREDEFINED.has(name) || reported.has(name)) continue;
        reported.add(name);
        const near = closestMatch(name, known);
        ctx.report(
          from.range,
          `FROM argument '${name}' is not declared${near === undefined ? '' : ` (did you mean ${near}?)`}`,
          `declare it with ARG ${name} before the first FROM`,
        );
      }
    }
  },
} satisfies LintCheck;

/** The FROM image with global ARG defaults (and the platform stand-ins) substituted; as written if that fails. */
export function defaultImage(ctx: LintContext, image: string): string {
  const declared = globals(ctx);
  const lookup = (name: string): string | undefined =>
    declared.has(name) ? declared.get(name) : PREDEFINED.get(name);
  try {
    return expandWord(image, lookup, { escape: ctx.ast.escape });
  } catch {
    return image;
  }
}

export const invalidDefaultArgInFrom = {
  name: 'InvalidDefaultArgInFrom',
  run(ctx) {
    const stageNames = new Set(ctx.stages.flatMap((s) => (s.name === undefined ? [] : [s.name])));
    for (const { from } of ctx.stages) {
      if (!from.image.includes('$')) continue;
      const image = defaultImage(ctx, from.image);
      // An image that did not expand (a malformed word) is the build's error to report.
      if (image === from.image) continue;
      if (image === 'scratch' || stageNames.has(image.toLowerCase()) || isValidReference(image)) continue;
      ctx.report(
        from.range,
        `Default value for ARG ${from.image} results in empty or invalid base image name`,
        'give the ARG a default that makes a valid image name',
      );
    }
  },
} satisfies LintCheck;

export const redundantTargetPlatform = {
  name: 'RedundantTargetPlatform',
  run(ctx) {
    for (const { from } of ctx.stages) {
      if (from.platform === '$TARGETPLATFORM' || from.platform === `\${TARGETPLATFORM}`) {
        ctx.report(
          from.range,
          `Setting platform to predefined ${from.platform} in FROM is redundant as this is the default behavior`,
          'remove the --platform flag',
        );
      }
    }
  },
} satisfies LintCheck;
