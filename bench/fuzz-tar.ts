/**
 * Tar reader fuzzing at scale: N mutated tarballs (default 100,000) applied with applyLayer in a
 * sandbox. Prints totals: applied, refused (TsbuildError), failed otherwise, escapes (something
 * changed outside the target), hangs, crashes (uncaught errors), and the slowest input.
 * Usage: node bench/fuzz-tar.ts [count] [seed]   (prints numbers; asserts nothing)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  applyInSandbox,
  createRandom,
  fingerprint,
  makeSandbox,
  mutateTar,
} from '../test/security/fuzz/tar-inputs.ts';
import { printFuzzReport } from './lib/fuzz-report.ts';

const count = Number(process.argv[2] ?? 100_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
const dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-fuzz-tar-'));
const totals = { inputs: 0, applied: 0, refused: 0, failed: 0, escapes: 0, hangs: 0, crashes: 0 };
process.on('uncaughtException', () => totals.crashes++);
process.on('unhandledRejection', () => totals.crashes++);
const examples: string[] = [];
let slowest = 0;
const started = performance.now();
try {
  const sandbox = await makeSandbox(dir);
  const before = await fingerprint(sandbox.outside);
  const rng = createRandom(seed);
  for (let i = 0; i < count; i++) {
    const input = mutateTar(rng, sandbox);
    const t0 = performance.now();
    try {
      totals[await applyInSandbox(sandbox, input, before)]++;
    } catch (error) {
      if (String(error).includes('hung')) totals.hangs++;
      else totals.escapes++;
      if (examples.length < 5)
        examples.push(`${String(error)} (input ${input.toString('base64').slice(0, 200)}…)`);
    }
    totals.inputs++;
    slowest = Math.max(slowest, performance.now() - t0);
    if (totals.inputs % 10_000 === 0) console.error(`... ${totals.inputs} inputs`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
printFuzzReport({ seed, totals, slowestMs: slowest, startedMs: started, examples });
