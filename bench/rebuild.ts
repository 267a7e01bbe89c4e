/**
 * No-op REBUILD of a 50,000-file context through the real build (issue 6's closing figure):
 * `COPY . /ctx/` on a busybox base, built once, then rebuilt by a new Builder each time (as a
 * new `tsbuild build` process would), with the persistent stat cache and with it removed.
 * Needs root, runc and busybox-static. Usage: node bench/rebuild.ts [files] [runs]
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createBuilder } from '../src/build.ts';
import { RACY_WINDOW_MS } from '../src/cache/stat-cache.ts';
import { importRootfs, openImageStore } from '../src/image/index.ts';

const files = Number(process.argv[2] ?? 50_000);
const runs = Number(process.argv[3] ?? 3);
const perDir = 100;
const base = await mkdtemp(path.join(tmpdir(), 'tsbuild-rebuild-'));
const context = path.join(base, 'context');
const root = path.join(base, 'store');

async function buildOnce(): Promise<{ ms: number; ran: number }> {
  const builder = await createBuilder({ root });
  let ran = 0;
  const start = performance.now();
  await builder.build({
    context,
    onEvent: (e) => {
      if (e.type === 'vertex.completed') ran++;
    },
  });
  const ms = performance.now() - start;
  await builder.close();
  return { ms, ran };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

try {
  for (let d = 0; d * perDir < files; d++) {
    const dir = path.join(context, `dir${d}`);
    await mkdir(dir, { recursive: true });
    const count = Math.min(perDir, files - d * perDir);
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        writeFile(path.join(dir, `file${i}.txt`), `file ${d}/${i}\n`.repeat(20)),
      ),
    );
  }
  await writeFile(path.join(context, 'Dockerfile'), 'FROM rebuild-base\nCOPY . /ctx/\n');
  const rootfs = path.join(base, 'rootfs.tar');
  execFileSync(path.resolve(import.meta.dirname, '../fixtures/busybox/make-rootfs.sh'), [rootfs]);
  await importRootfs(await openImageStore(root), rootfs, 'rebuild-base', { sourceDateEpoch: 0 });
  // Files younger than the racy window are never trusted from the stat cache; let them age.
  await sleep(RACY_WINDOW_MS + 500);

  const cold = await buildOnce();
  console.log(`${files} files; cold build ${cold.ms.toFixed(0)} ms (${cold.ran} steps ran)`);
  const withCache: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < runs; i++) {
    const warm = await buildOnce();
    if (warm.ran !== 0) throw new Error(`no-op rebuild ran ${warm.ran} steps`);
    withCache.push(warm.ms);
    await rm(path.join(root, 'cache', 'stat'), { recursive: true, force: true });
    const plain = await buildOnce();
    if (plain.ran !== 0) throw new Error(`no-op rebuild ran ${plain.ran} steps`);
    without.push(plain.ms);
  }
  const show = (xs: readonly number[]) =>
    `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  console.log(`no-op rebuild, stat cache:    ${show(withCache)}`);
  console.log(`no-op rebuild, no stat cache: ${show(without)}`);
} finally {
  await rm(base, { recursive: true, force: true });
}
