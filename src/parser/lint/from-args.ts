/**
 * Checks on FROM lines and the global ARGs they use: UndefinedArgInFrom,
 * InvalidDefaultArgInFrom, RedundantTargetPlatform.
 */
import { closestMatch } from '../suggest.ts';
import type { LintCheck } from './model.ts';
import { isValidReference } from './reference.ts';
import { PREDEFINED, references } from './scope.ts';

export const undefinedArgInFrom = {
  name: 'UndefinedArgInFrom',
  run(ctx) {
    const declared = ctx.globalValues;
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

export const invalidDefaultArgInFrom = {
  name: 'InvalidDefaultArgInFrom',
  run(ctx) {
    const stageNames = new Set(ctx.stages.flatMap((s) => (s.name === undefined ? [] : [s.name])));
    for (const { from } of ctx.stages) {
      if (!from.image.includes('$')) continue;
      const image = ctx.defaultImage(from.image);
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
