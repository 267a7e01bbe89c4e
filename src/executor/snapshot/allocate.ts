/**
 * Short numeric snapshot ids (they keep overlay mount options short). An id is never reused, even
 * after removal, so a stale reference can never point at a different snapshot: `last-id` records
 * the high-water mark and a new id is claimed by an atomic mkdir.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ID_PATTERN, snapshotsDir } from './meta.ts';

async function readLastId(root: string): Promise<number> {
  try {
    const value = Number.parseInt(await readFile(join(snapshotsDir(root), 'last-id'), 'utf8'), 10);
    return Number.isFinite(value) ? value : 0;
  } catch {
    return 0;
  }
}

async function highestExisting(root: string): Promise<number> {
  const names = await readdir(snapshotsDir(root));
  return names.filter((name) => ID_PATTERN.test(name)).reduce((max, name) => Math.max(max, Number(name)), 0);
}

/** Raises the high-water mark to at least `id`; called on allocation and before removal. */
export async function recordId(root: string, id: number): Promise<void> {
  if ((await readLastId(root)) < id) await writeFileAtomic(join(snapshotsDir(root), 'last-id'), `${id}\n`);
}

/** Creates `<root>/snapshots/<n>` for a fresh n and returns n. */
export async function allocateId(root: string): Promise<string> {
  await mkdir(snapshotsDir(root), { recursive: true });
  let candidate = Math.max(await readLastId(root), await highestExisting(root)) + 1;
  for (;;) {
    try {
      await mkdir(join(snapshotsDir(root), String(candidate)));
      await recordId(root, candidate);
      return String(candidate);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      candidate += 1;
    }
  }
}
