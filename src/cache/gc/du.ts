import path from 'node:path';
import { cacheLayout } from '../layout.ts';
import type { CacheStore } from '../records.ts';
import { refsOf } from './refs.ts';
import { diskUsage, type UsageLine, usageOfEntries } from './usage.ts';

export interface RecordUsage {
  readonly key: string;
  readonly description: string | undefined;
  readonly createdAt: number;
  readonly lastUsed: number;
  readonly snapshots: readonly string[];
  /** Space of the record's snapshots (shared ones counted for each record that uses them). */
  readonly bytes: number;
}

export interface DiskUsageReport {
  readonly snapshots: UsageLine;
  readonly blobs: UsageLine;
  readonly cacheMounts: UsageLine;
  /** Cache records with their content manifests, explain indexes and stat caches. */
  readonly records: UsageLine;
  readonly totalBytes: number;
  /** Per record, least recently used first; only when asked for (`--verbose`). */
  readonly perRecord?: readonly RecordUsage[];
}

/** Where the store's other owners keep their data (docs/architecture.md). */
export function storeDirs(root: string): { snapshots: string; blobs: string; mounts: string } {
  return {
    snapshots: path.join(root, 'snapshots'),
    blobs: path.join(root, 'blobs', 'sha256'),
    mounts: path.join(root, 'cache', 'mounts'),
  };
}

/** `tsbuild du`: space by kind, measured on disk. */
export async function du(
  store: CacheStore,
  options: { readonly verbose?: boolean } = {},
): Promise<DiskUsageReport> {
  const dirs = storeDirs(store.root);
  const layout = cacheLayout(store.root);
  const seen = new Set<string>();
  const snapshots = await usageOfEntries(dirs.snapshots, seen);
  const blobs = await usageOfEntries(dirs.blobs, seen);
  const cacheMounts = await usageOfEntries(dirs.mounts, seen);
  const infos = await store.list();
  let recordBytes = 0;
  for (const dir of [layout.records, layout.content, layout.index, layout.stat, layout.urls]) {
    recordBytes += await diskUsage(dir, seen);
  }
  const records = { count: infos.length, bytes: recordBytes };
  const report: DiskUsageReport = {
    snapshots,
    blobs,
    cacheMounts,
    records,
    totalBytes: snapshots.bytes + blobs.bytes + cacheMounts.bytes + records.bytes,
  };
  if (options.verbose !== true) return report;
  const perRecord: RecordUsage[] = [];
  for (const info of infos.sort((a, b) => a.lastUsed - b.lastUsed)) {
    const record = await store.get(info.key);
    if (record === undefined) continue;
    const ids = refsOf(record).snapshots;
    let bytes = 0;
    for (const id of ids) bytes += await diskUsage(path.join(dirs.snapshots, id));
    perRecord.push({
      key: info.key,
      description: record.description,
      createdAt: record.createdAt,
      lastUsed: info.lastUsed,
      snapshots: ids,
      bytes,
    });
  }
  return { ...report, perRecord };
}
