/**
 * Short numeric snapshot ids (they keep overlay mount options short). An id is never reused, even
 * after removal, so a stale reference can never point at a different snapshot: `last-id` records
 * the high-water mark. A snapshot dir is assembled under a staging name that carries its owner
 * and renamed to its id in one step, so `snapshots/<n>` always has its meta.json from birth and a
 * crash leaves only a staging dir that sweep can attribute to a dead process.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { currentOwner, type Owner } from '../owner.ts';
import { ID_PATTERN, type SnapshotMeta, snapshotsDir, writeMetaIn } from './meta.ts';

/** Staging dirs: `.new-<pid>-<start time>-<random>`. */
export const STAGING_PREFIX = '.new-';

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

/** The owner a staging dir name carries, or undefined for other names. */
export function stagingOwner(name: string): Owner | undefined {
  if (!name.startsWith(STAGING_PREFIX)) return undefined;
  const [pid, startTime] = name.slice(STAGING_PREFIX.length).split('-');
  return { pid: Number(pid), startTime: startTime ?? '' };
}

/**
 * Creates `<root>/snapshots/<n>` for a fresh n: an active snapshot owned by this process, holding
 * its meta.json and the empty `dirs`. Returns its metadata.
 */
export async function createSnapshotDir(
  root: string,
  origin: { readonly parent: string | undefined; readonly labels: Readonly<Record<string, string>> },
  dirs: readonly { readonly name: string; readonly mode: number }[],
): Promise<SnapshotMeta> {
  const base = snapshotsDir(root);
  await mkdir(base, { recursive: true });
  const owner = currentOwner();
  const meta = {
    ...origin,
    state: 'active',
    chainId: undefined,
    createdAt: new Date().toISOString(),
    owner,
  } as const;
  const staging = join(
    base,
    `${STAGING_PREFIX}${owner.pid}-${owner.startTime}-${randomBytes(4).toString('hex')}`,
  );
  try {
    await mkdir(staging);
    for (const dir of dirs) await mkdir(join(staging, dir.name), { mode: dir.mode });
    let candidate = Math.max(await readLastId(root), await highestExisting(root)) + 1;
    for (;;) {
      const created: SnapshotMeta = { ...meta, id: String(candidate) };
      await writeMetaIn(staging, created);
      try {
        // Fails when the id is taken: every snapshot dir holds at least meta.json, so it is never empty.
        await rename(staging, join(base, created.id));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
        candidate += 1;
        continue;
      }
      await recordId(root, candidate);
      return created;
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
