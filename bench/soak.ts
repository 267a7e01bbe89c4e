/**
 * Soak: builds in a loop on one Builder for a long time (default 60 minutes), each after a random
 * mutation of its context (a file edited, added or deleted, a build arg changed, nothing at all),
 * sometimes two at once, with GC pressure (prune down to a budget after every build). Prints one
 * line per sample — RSS, heap, store size against the budget, builds so far — then a summary: RSS
 * growth, peak disk, failures, and a final store check and leak check.
 * Usage: node bench/soak.ts [minutes=60] [budgetMiB=256] [sampleSeconds=60]   (root, runc, busybox-static)
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkStore, createBuilder, diskUsage, importImage, pruneStore } from '../src/index.ts';
import { createRandom } from '../test/parser/fuzz-inputs.ts';
import { findLeaks } from '../test/reliability/support/leaks.ts';

const minutes = Number(process.argv[2] ?? 60);
const budget = Number(process.argv[3] ?? 256) * 1024 * 1024;
const sampleMs = Number(process.argv[4] ?? 60) * 1000;
const rng = createRandom(Number(process.env.TSBUILD_SOAK_SEED ?? 20261125));
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

const dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-soak-'));
const root = path.join(dir, 'store');
const context = path.join(dir, 'context');
const rootfs = path.join(dir, 'busybox.tar');
execFileSync(path.join(import.meta.dirname, '../fixtures/busybox/make-rootfs.sh'), [rootfs]);
await importImage(rootfs, 'busybox:local', { root });
await mkdir(path.join(context, 'src'), { recursive: true });
for (let i = 0; i < 200; i++) await writeFile(path.join(context, 'src', `f${i}.txt`), `file ${i}\n`);
await writeFile(
  path.join(context, 'Dockerfile'),
  [
    'FROM busybox:local AS deps',
    'ARG SIZE=1',
    'RUN head -c $((SIZE * 1048576)) /dev/urandom > /blob',
    'FROM busybox:local',
    'COPY src/ /app/src/',
    'RUN cat /app/src/* | wc -c > /app/size',
    'COPY --from=deps /blob /app/blob',
    '',
  ].join('\n'),
);

/** One random change to the context; returns the build args to use. */
async function mutate(): Promise<Record<string, string>> {
  const r = rng();
  const files = await readdir(path.join(context, 'src'));
  const some = files[Math.floor(rng() * files.length)] ?? 'f0.txt';
  if (r < 0.3) await writeFile(path.join(context, 'src', some), `edited ${rng()}\n`);
  else if (r < 0.45)
    await writeFile(path.join(context, 'src', `new-${Math.floor(rng() * 1e9)}.txt`), 'new\n');
  else if (r < 0.55 && files.length > 50) await rm(path.join(context, 'src', some));
  return { SIZE: String(1 + Math.floor(rng() * 4)) };
}

const builder = await createBuilder({ root });
const started = Date.now();
const samples: { t: number; rss: number; heap: number; disk: number }[] = [];
let builds = 0;
let failures = 0;
let peakDisk = 0;
let nextSample = 0;
console.log('minute  rss MiB  heap MiB  store MiB  budget MiB  builds  failures');
while (Date.now() - started < minutes * 60_000) {
  const parallel = rng() < 0.2 ? 2 : 1;
  const args = await mutate();
  const results = await Promise.allSettled(
    Array.from({ length: parallel }, () => builder.build({ context, buildArgs: args, sourceDateEpoch: 0 })),
  );
  builds += parallel;
  for (const r of results) {
    if (r.status === 'rejected') {
      failures++;
      console.error(`build failed: ${(r.reason as Error).message}`);
    }
  }
  await pruneStore({ root, keepStorage: budget });
  const disk = (await diskUsage({ root })).totalBytes;
  peakDisk = Math.max(peakDisk, disk);
  if (Date.now() >= nextSample) {
    nextSample = Date.now() + sampleMs;
    const { rss, heapUsed } = process.memoryUsage();
    samples.push({ t: (Date.now() - started) / 60_000, rss, heap: heapUsed, disk });
    console.log(
      `${samples.at(-1)!.t.toFixed(1).padStart(6)}  ${mib(rss).padStart(7)}  ${mib(heapUsed).padStart(8)}  ${mib(disk).padStart(9)}  ${mib(budget).padStart(10)}  ${String(builds).padStart(6)}  ${String(failures).padStart(8)}`,
    );
  }
}
await builder.close();
const report = await checkStore(root);
const leaks = await findLeaks(root);
// RSS growth over the second half, so start-up warm-up does not count as a leak.
const half = samples.slice(Math.floor(samples.length / 2));
const growth = half.length > 1 ? half.at(-1)!.rss - half[0]!.rss : 0;
console.log(
  `\n${builds} builds (${failures} failed) in ${minutes} min; RSS ${mib(samples[0]?.rss ?? 0)} → ${mib(samples.at(-1)?.rss ?? 0)} MiB (second half: ${growth >= 0 ? '+' : ''}${mib(growth)} MiB), peak ${mib(Math.max(...samples.map((s) => s.rss)))} MiB`,
);
console.log(`store peak ${mib(peakDisk)} MiB against a budget of ${mib(budget)} MiB`);
console.log(
  `store check: ${report.problems.length} problems; leaks: ${leaks.length === 0 ? 'none' : leaks.join(', ')}`,
);
await rm(dir, { recursive: true, force: true });
