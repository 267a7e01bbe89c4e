/**
 * Word expansion fuzzed where builds meet it (planBuild over random `${…}` words in every
 * expanding instruction): no input throws anything but a located TsbuildError, none takes
 * long. A bounded run for CI; bench/fuzz-expand.ts runs a million (TSBUILD_FUZZ_COUNT, _SEED).
 */
import { describe, expect, it } from 'vitest';
import { checkPlanInput, createRandom, randomPlanInput } from './fuzz/plan-inputs.ts';

const COUNT = Number(process.env.TSBUILD_FUZZ_COUNT ?? 3000);
const SEED = Number(process.env.TSBUILD_FUZZ_SEED ?? 424242);

describe('planner and word expansion fuzzing', () => {
  it(`${COUNT} generated and mutated Dockerfiles plan or fail located`, async () => {
    const rng = createRandom(SEED);
    const failures: string[] = [];
    let withSubstitutions = 0;
    for (let i = 0; i < COUNT; i++) {
      const input = randomPlanInput(rng);
      const problem = await checkPlanInput(input, rng);
      if (problem !== undefined) failures.push(`${JSON.stringify(input).slice(0, 400)}\n  -> ${problem}`);
      if (input.includes('${')) withSubstitutions++;
    }
    expect(failures.slice(0, 3)).toEqual([]);
    // The generator does exercise substitutions.
    expect(withSubstitutions).toBeGreaterThan(COUNT / 2);
  });
});
