/**
 * Writes the benchmark scenarios' build contexts (s1–s6) under OUT_DIR, deterministically from
 * SEED. Usage: node bench/generate.ts OUT_DIR [SEED] [SCALE]
 */
import { resolve } from 'node:path';
import { generateScenarios } from './lib/generate.ts';

const [outDir, seed = 'tsbuild-bench-1', scale = '1'] = process.argv.slice(2);
if (outDir === undefined) {
  process.stderr.write('usage: node bench/generate.ts OUT_DIR [SEED] [SCALE]\n');
  process.exit(2);
}
const started = performance.now();
for (const s of await generateScenarios({ seed, outDir: resolve(outDir), scale: Number(scale) })) {
  console.log(
    `${s.id}: ${s.files} files, ${(s.bytes / 1e6).toFixed(1)} MB in ${s.contexts.length} context(s)`,
  );
}
console.log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
