/**
 * Context checksum speed on a 50,000-file context: cold (every file read), no-op with the
 * persistent stat cache (a new hasher, as a new build process would be), no-op without it.
 * Usage: node bench/context-hash.ts [files]   (prints numbers; asserts nothing)
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createContextHasher } from '../src/cache/index.ts';
import { RACY_WINDOW_MS } from '../src/cache/stat-cache.ts';

const files = Number(process.argv[2] ?? 50_000);
const perDir = 100;
const base = await mkdtemp(path.join(tmpdir(), 'tsbuild-bench-'));
const context = path.join(base, 'context');
const root = path.join(base, 'store');

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await work();
  console.log(`${label.padEnd(34)} ${(performance.now() - start).toFixed(0).padStart(7)} ms`);
  return result;
}

try {
  await timed(`create ${files} files`, async () => {
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
  });
  // Files younger than the racy window are never trusted from the stat cache; let them age.
  await sleep(RACY_WINDOW_MS + 500);
  const selection = { sources: ['.'] };
  const cold = await timed('cold (empty stat cache)', () =>
    createContextHasher({ root }).checksum(context, selection),
  );
  const warm = await timed('no-op, stat cache (new process)', () =>
    createContextHasher({ root }).checksum(context, selection),
  );
  const plain = await timed('no-op, no stat cache', () => createContextHasher().checksum(context, selection));
  if (warm.digest !== cold.digest || plain.digest !== cold.digest) throw new Error('checksums differ');
  console.log(
    `entries ${cold.entries.length}; files read: cold ${cold.stats.filesRead}, stat-cached ${warm.stats.filesRead}, uncached ${plain.stats.filesRead}`,
  );
} finally {
  await rm(base, { recursive: true, force: true });
}
