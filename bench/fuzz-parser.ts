/**
 * Parser fuzzing at scale: N random, noisy and mutated Dockerfiles (default one
 * million) through parse, lint, diagnostic formatting and print -> re-parse.
 * Prints totals: crashes, unlocated errors, round-trip mismatches, inputs over 1 s.
 * Usage: node bench/fuzz-parser.ts [count] [seed]   (prints numbers; asserts nothing)
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDockerfile } from '../src/parser/index.ts';
import { checkInput, createRandom, fuzzInputs } from '../test/parser/fuzz-inputs.ts';
import { printFuzzReport } from './lib/fuzz-report.ts';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);

const seeds: string[] = [];
const collect = (dir: string): void => {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) collect(full);
    else if (name.endsWith('Dockerfile')) seeds.push(readFileSync(full, 'utf8'));
  }
};
collect(path.resolve(import.meta.dirname, '../test/parser/golden'));
collect(path.resolve(import.meta.dirname, '../../shared/corpus/dockerfiles'));

const totals = {
  inputs: 0,
  parsedClean: 0,
  withErrors: 0,
  crashed: 0,
  unlocated: 0,
  roundTrip: 0,
  over1s: 0,
};
let slowest = 0;
let bytes = 0;
const examples: string[] = [];
const start = performance.now();
for (const input of fuzzInputs(createRandom(seed), count, seeds)) {
  totals.inputs++;
  bytes += input.length;
  const t0 = performance.now();
  const problems = checkInput(input);
  const took = performance.now() - t0;
  slowest = Math.max(slowest, took);
  if (took > 1000) totals.over1s++;
  for (const p of problems) {
    if (p.startsWith('threw')) totals.crashed++;
    else if (p.includes('range')) totals.unlocated++;
    else totals.roundTrip++;
  }
  if (problems.length > 0 && examples.length < 5)
    examples.push(`${JSON.stringify(input).slice(0, 300)}\n  -> ${problems[0]}`);
  if (problems.length === 0) {
    if (parseDockerfile(input).errors.length === 0) totals.parsedClean++;
    else totals.withErrors++;
  }
  if (totals.inputs % 100_000 === 0) console.error(`... ${totals.inputs} inputs`);
}
printFuzzReport({
  seed,
  about: `${seeds.length} seed files`,
  totals,
  slowestMs: slowest,
  startedMs: start,
  examples,
  volume: `${(bytes / 1e6).toFixed(1)} MB`,
});
