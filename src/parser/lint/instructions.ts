/**
 * Per-instruction checks: JSONArgsRecommended, MultipleInstructionsDisallowed,
 * MaintainerDeprecated, LegacyKeyValueFormat, WorkdirRelativePath.
 */
import type { LintCheck, LintContext, LintStage } from './model.ts';

/** Stages a stage builds on inside this file, nearest first (FROM <earlier stage>, ARG defaults applied). */
export function ancestry(ctx: LintContext, stage: LintStage): LintStage[] {
  const chain: LintStage[] = [];
  let current: LintStage | undefined = stage;
  while (current !== undefined) {
    const image = ctx.defaultImage(current.from.image).toLowerCase();
    const index: number = current.index;
    current = ctx.stages.find((s) => s.index < index && s.name === image);
    if (current !== undefined) chain.push(current);
  }
  return chain;
}

/** Shell-form CMD/ENTRYPOINT without an explicit SHELL in the stage (or a stage it builds on). */
export const jsonArgsRecommended = {
  name: 'JSONArgsRecommended',
  run(ctx) {
    for (const stage of ctx.stages) {
      let shellSet = ancestry(ctx, stage).some((s) => s.instructions.some((i) => i.kind === 'SHELL'));
      for (const i of stage.instructions) {
        if (i.kind === 'SHELL') shellSet = true;
        if ((i.kind === 'CMD' || i.kind === 'ENTRYPOINT') && i.command.form === 'shell' && !shellSet) {
          ctx.report(
            i.range,
            `JSON arguments recommended for ${i.kind} to prevent unintended behavior related to OS signals`,
            `write ${i.kind} ["executable", "arg"], or set SHELL explicitly if a shell is wanted`,
          );
        }
      }
    }
  },
} satisfies LintCheck;

/** Only the last CMD, ENTRYPOINT or HEALTHCHECK of a stage counts; the earlier ones are reported. */
export const multipleInstructionsDisallowed = {
  name: 'MultipleInstructionsDisallowed',
  run(ctx) {
    for (const stage of ctx.stages) {
      for (const kind of ['CMD', 'ENTRYPOINT', 'HEALTHCHECK'] as const) {
        const found = stage.instructions.filter((i) => i.kind === kind);
        for (const earlier of found.slice(0, -1)) {
          ctx.report(
            earlier.range,
            `Multiple ${kind} instructions should not be used in the same stage because only the last one will be used`,
            `remove this ${kind} or merge it into the last one`,
          );
        }
      }
    }
  },
} satisfies LintCheck;

export const maintainerDeprecated = {
  name: 'MaintainerDeprecated',
  run(ctx) {
    for (const i of ctx.ast.instructions) {
      if (i.kind === 'MAINTAINER') {
        ctx.report(
          i.range,
          'Maintainer instruction is deprecated in favor of using label',
          `write LABEL org.opencontainers.image.authors=${JSON.stringify(i.name)}`,
        );
      }
    }
  },
} satisfies LintCheck;

export const legacyKeyValueFormat = {
  name: 'LegacyKeyValueFormat',
  run(ctx) {
    for (const i of ctx.ast.instructions) {
      if ((i.kind === 'ENV' || i.kind === 'LABEL') && i.legacy) {
        ctx.report(
          i.range,
          `"${i.kind} key=value" should be used instead of legacy "${i.kind} key value" format`,
          `write ${i.kind} ${i.pairs[0]?.key ?? 'key'}="<value>"`,
        );
      }
    }
  },
} satisfies LintCheck;

const ABSOLUTE = /^(?:\/|\$|[A-Za-z]:[\\/]|\\)/;

/** A relative WORKDIR before any absolute one in the stage (or the stages it builds on). */
export const workdirRelativePath = {
  name: 'WorkdirRelativePath',
  run(ctx) {
    for (const stage of ctx.stages) {
      const inherited = ancestry(ctx, stage).some((s) =>
        s.instructions.some((i) => i.kind === 'WORKDIR' && ABSOLUTE.test(i.path)),
      );
      let absoluteSet = inherited;
      for (const i of stage.instructions) {
        if (i.kind !== 'WORKDIR') continue;
        // A path starting with a variable may well be absolute; only literal relative paths are reported.
        if (ABSOLUTE.test(i.path)) absoluteSet = true;
        else if (!absoluteSet) {
          ctx.report(
            i.range,
            `Relative workdir ${JSON.stringify(i.path)} can have unexpected results if the base image changes`,
            `write WORKDIR /${i.path.replace(/^\.\//, '')} or set an absolute WORKDIR first`,
          );
        }
      }
    }
  },
} satisfies LintCheck;
