/** Casing checks: StageNameCasing, FromAsCasing, ConsistentInstructionCasing. */
import type { Instruction } from '../ast.ts';
import type { LintCheck } from './model.ts';

const isLower = (s: string): boolean => s === s.toLowerCase();
const isUpper = (s: string): boolean => s === s.toUpperCase();

export const stageNameCasing = {
  name: 'StageNameCasing',
  run(ctx) {
    for (const { from } of ctx.stages) {
      if (from.stageName !== undefined && !isLower(from.stageName)) {
        ctx.report(
          from.range,
          `Stage name '${from.stageName}' should be lowercase`,
          `use '${from.stageName.toLowerCase()}'`,
        );
      }
    }
  },
} satisfies LintCheck;

export const fromAsCasing = {
  name: 'FromAsCasing',
  run(ctx) {
    for (const { from } of ctx.stages) {
      const as = from.asKeyword;
      if (as === undefined) continue;
      const mismatch = (isLower(from.keyword) && !isLower(as)) || (isUpper(from.keyword) && !isUpper(as));
      if (mismatch) {
        ctx.report(
          from.range,
          `'${as}' and '${from.keyword}' keywords' casing do not match`,
          'write FROM ... AS or from ... as',
        );
      }
    }
  },
} satisfies LintCheck;

/** Every stage instruction counts (global ARGs do not, as in BuildKit); ties go to uppercase. */
export const consistentInstructionCasing = {
  name: 'ConsistentInstructionCasing',
  run(ctx) {
    const all: Instruction[] = ctx.stages.flatMap((s) => [s.from, ...s.instructions]);
    let lower = 0;
    let upper = 0;
    for (const i of all) {
      if (isLower(i.keyword)) lower++;
      else if (isUpper(i.keyword)) upper++;
    }
    const majorityLower = lower > upper;
    for (const i of all) {
      const wrong = majorityLower ? !isLower(i.keyword) : !isUpper(i.keyword);
      if (wrong) {
        const casing = majorityLower ? 'lowercase' : 'uppercase';
        ctx.report(
          i.range,
          `Command '${i.keyword}' should match the case of the command majority (${casing})`,
          `write ${majorityLower ? i.keyword.toLowerCase() : i.keyword.toUpperCase()}`,
        );
      }
    }
  },
} satisfies LintCheck;
