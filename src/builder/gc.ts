/**
 * The store's garbage collection wired to its owners (cache records, snapshots, image blobs), and
 * the automatic GC a Builder runs after builds that made something: least recently used records
 * go until the store fits its budget, as BuildKit's daemon does with its default policy.
 */
import { statfs } from 'node:fs/promises';
import { type CacheStore, type GcOwners, gcIfOverBudget, type PruneReport } from '../cache/index.ts';
import { TsbuildError } from '../errors.ts';
import type { Snapshotter } from '../executor/index.ts';
import { collectGarbage, type ImageStore } from '../image/index.ts';

/**
 * What GC may remove from a store, and how: its snapshots, and the blobs of an image store that
 * already knows the cache records' blobs as roots (as `openServices` and `openStore` make it).
 */
export function storeGcOwners(parts: { snapshotter: Snapshotter; store: ImageStore }): GcOwners {
  const { snapshotter, store } = parts;
  return {
    listSnapshots: async () =>
      (await snapshotter.list()).map((s) => ({
        id: s.id,
        parent: s.parent,
        createdAt: Date.parse(s.createdAt),
        ...(s.state === 'active' && { active: true }),
        ...(s.chainId !== undefined && { chainId: s.chainId }),
      })),
    removeSnapshot: (id) => snapshotter.remove(id),
    // Blobs written since then may belong to an operation that is about to tag them.
    collectBlobs: async (protectFrom) => {
      await collectGarbage(store, { graceMs: Math.max(0, Date.now() - protectFrom) });
    },
  };
}

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** `10GB`, `512MiB`, `1000000`, or `off`/`0` (no automatic GC). */
export function parseKeepStorage(text: string, where: string): number | false {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'off' || trimmed === '0') return false;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/.exec(trimmed);
  if (m === null)
    throw new TsbuildError('USAGE', `${where}: "${text}" is not a size`, {
      hint: 'e.g. 10GB, 512MiB, or off to turn automatic GC off',
    });
  return Math.round(Number(m[1]) * UNITS[m[2] ?? '']!);
}

/** Budget when nobody says: 10 % of the filesystem that holds the store (2 GB if unknown), as BuildKit. */
export async function defaultKeepStorage(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number | false> {
  if (env.TSBUILD_GC_KEEP_STORAGE !== undefined && env.TSBUILD_GC_KEEP_STORAGE !== '')
    return parseKeepStorage(env.TSBUILD_GC_KEEP_STORAGE, 'TSBUILD_GC_KEEP_STORAGE');
  const fs = await statfs(root).catch(() => undefined);
  return fs === undefined ? 2e9 : Math.round((fs.blocks * fs.bsize) / 10);
}

/** Prunes least recently used records (and what only they used) when the store is over `keepBytes`. */
export function autoGc(
  services: { cache: CacheStore; snapshotter: Snapshotter; store: ImageStore },
  keepBytes: number,
): Promise<PruneReport | undefined> {
  return gcIfOverBudget(services.cache, storeGcOwners(services), keepBytes);
}
