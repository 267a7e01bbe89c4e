/**
 * Word expansion fuzzing at scale, where builds meet it: N generated and mutated Dockerfiles
 * (default one million) of `${…}` words in every expanding instruction, planned with planBuild,
 * plus a random word expanded directly per input. Prints totals: inputs, crashes (anything but a
 * TsbuildError), unlocated Dockerfile errors, inputs over 1 s (timed again alone: `pauses` are
 * the machine's, not the input's), the slowest input.
 * Usage: node bench/fuzz-expand.ts [count] [seed]   (prints numbers; asserts nothing)
 */
import { checkPlanInput, createRandom, randomPlanInput } from '../test/security/fuzz/plan-inputs.ts';
import { printFuzzReport } from './lib/fuzz-report.ts';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const rng = createRandom(seed);
const totals = { inputs: 0, crashed: 0, unlocated: 0, over1s: 0, pauses: 0 };
const examples: string[] = [];
let slowest = 0;
const started = performance.now();
for (let i = 0; i < count; i++) {
  const input = randomPlanInput(rng);
  const t0 = performance.now();
  const problem = await checkPlanInput(input, rng);
  const took = performance.now() - t0;
  totals.inputs++;
  if (took > 1000) {
    // A pause of the machine (GC, another process) is not the input's fault: time it again alone.
    let best = took;
    for (let again = 0; again < 3; again++) {
      const t1 = performance.now();
      await checkPlanInput(input, createRandom(again));
      best = Math.min(best, performance.now() - t1);
    }
    if (best > 1000) totals.over1s++;
    else totals.pauses++;
    slowest = Math.max(slowest, best);
  } else slowest = Math.max(slowest, took);
  if (problem !== undefined) {
    if (problem.includes('without a location')) totals.unlocated++;
    else totals.crashed++;
    if (examples.length < 5)
      examples.push(`${JSON.stringify(input).slice(0, 300)}\n  -> ${problem.slice(0, 300)}`);
  }
  if (totals.inputs % 100_000 === 0) console.error(`... ${totals.inputs} inputs`);
}
printFuzzReport({ seed, totals, slowestMs: slowest, startedMs: started, examples });
