/**
 * Store commands as library functions: `tsbuild du` (space by kind) and
 * `tsbuild prune` (cache records, orphan snapshots, unreferenced blobs and
 * old build records), wiring the cache's GC to the store's other owners.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pruneBuildRecords } from './build-records.ts';
import { storeGcOwners } from './builder/gc.ts';
import { defaultRoot } from './builder/services.ts';
import { type DiskUsageReport, du, openCacheStore, type PruneReport, prune } from './cache/index.ts';
import { createSnapshotter } from './executor/index.ts';
import { openStore } from './images.ts';

export type { DiskUsageReport };

export interface DiskOptions {
  readonly root?: string;
}

export interface StoreUsage extends DiskUsageReport {
  /** Build records with their step logs (`tsbuild logs`). */
  readonly buildRecords: { readonly count: number; readonly bytes: number };
}

async function bytesUnder(path: string): Promise<number> {
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) return 0;
  if (!info.isDirectory()) return info.blocks * 512;
  const names = await readdir(path).catch(() => [] as string[]);
  let total = info.blocks * 512;
  for (const name of names) total += await bytesUnder(join(path, name));
  return total;
}

async function buildRecordsUsage(root: string): Promise<StoreUsage['buildRecords']> {
  const dir = join(root, 'builds');
  const names = await readdir(dir).catch(() => [] as string[]);
  return { count: names.filter((n) => !n.startsWith('.')).length, bytes: await bytesUnder(dir) };
}

export async function diskUsage(
  options: DiskOptions & { readonly verbose?: boolean } = {},
): Promise<StoreUsage> {
  const root = options.root ?? defaultRoot();
  const report = await du(await openCacheStore(root), { verbose: options.verbose === true });
  const buildRecords = await buildRecordsUsage(root);
  return { ...report, buildRecords, totalBytes: report.totalBytes + buildRecords.bytes };
}

export interface PruneStoreOptions extends DiskOptions {
  /** Every cache record no running build holds, and every build record. */
  readonly all?: boolean;
  /** Records unused for longer than this many ms. */
  readonly untilMs?: number;
  /** Least recently used records go until the store fits in this many bytes. */
  readonly keepStorage?: number;
}

export interface PruneStoreReport extends PruneReport {
  readonly buildRecords: number;
}

export async function pruneStore(options: PruneStoreOptions = {}): Promise<PruneStoreReport> {
  const root = options.root ?? defaultRoot();
  const cache = await openCacheStore(root);
  const owners = storeGcOwners({
    snapshotter: createSnapshotter({ root, kind: 'auto' }),
    store: await openStore({ root }),
  });
  const report = await prune(cache, owners, {
    ...(options.all !== undefined && { all: options.all }),
    ...(options.untilMs !== undefined && { untilMs: options.untilMs }),
    ...(options.keepStorage !== undefined && { keepStorage: options.keepStorage }),
  });
  const buildRecords =
    options.all === true || options.untilMs !== undefined
      ? await pruneBuildRecords(root, { olderThanMs: options.all === true ? 0 : options.untilMs! })
      : 0;
  return { ...report, buildRecords };
}
