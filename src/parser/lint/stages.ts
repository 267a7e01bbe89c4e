/** Stage naming checks: DuplicateStageName, ReservedStageName. */
import type { LintCheck } from './model.ts';

const RESERVED = new Set(['scratch', 'context']);

export const duplicateStageName = {
  name: 'DuplicateStageName',
  run(ctx) {
    const seen = new Set<string>();
    for (const stage of ctx.stages) {
      if (stage.name === undefined) continue;
      if (seen.has(stage.name)) {
        ctx.report(
          stage.from.range,
          `Duplicate stage name ${JSON.stringify(stage.name)}, stage names should be unique`,
          'rename one of the stages; references resolve to the first one',
        );
      }
      seen.add(stage.name);
    }
  },
} satisfies LintCheck;

export const reservedStageName = {
  name: 'ReservedStageName',
  run(ctx) {
    for (const stage of ctx.stages) {
      if (stage.name !== undefined && RESERVED.has(stage.name)) {
        ctx.report(
          stage.from.range,
          `Stage name should not use the same name as reserved stage ${JSON.stringify(stage.name)}`,
          'choose another stage name',
        );
      }
    }
  },
} satisfies LintCheck;
