import { lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { chainIdOf } from '../../image/index.ts';
import { cacheLayout } from '../layout.ts';
import { liveLeases } from '../lease.ts';
import type { CacheRecord, CacheStore } from '../records.ts';
import { du, storeDirs } from './du.ts';
import { refsOf } from './refs.ts';
import { diskUsage } from './usage.ts';

/** The store's other owners, as callbacks, so the cache imports no executor or image internals. */
export interface GcOwners {
  /**
   * Snapshots with their parent (a child needs its parents as lower dirs). Active ones (a running
   * step's or container's) are never removed and keep their parents; committed ones carry the
   * chain id of the layers they hold.
   */
  listSnapshots(): Promise<readonly GcSnapshot[]>;
  removeSnapshot(id: string): Promise<void>;
  /**
   * The image store's blob GC; it asks {@link cacheBlobRoots} which blobs records still need and
   * must spare blobs written at or after `protectFrom` (ms), which an operation may be about to tag.
   */
  collectBlobs?(protectFrom: number): Promise<void>;
}

export interface GcSnapshot {
  readonly id: string;
  readonly parent: string | undefined;
  readonly createdAt: number;
  readonly active?: boolean;
  readonly chainId?: string;
}

export interface PruneOptions {
  /** Remove every record no running build holds. */
  readonly all?: boolean;
  /** Remove records unused for longer than this many ms (`--filter until=24h`). */
  readonly untilMs?: number;
  /** Remove least recently used records until the store fits in this many bytes. */
  readonly keepStorage?: number;
  readonly now?: number;
}

export interface PruneReport {
  readonly records: number;
  readonly snapshots: number;
  readonly freedBytes: number;
}

/**
 * File times come from the kernel's coarse clock, a tick behind Date.now() at most: a file made
 * this close before an operation began counts as made after. Snapshot times are Date.now()'s own.
 */
const FILE_CLOCK_SLACK_MS = 100;

/**
 * `tsbuild prune` and the automatic GC. With no option only orphans go (snapshots no record
 * needs); records are chosen by `all`, age (`untilMs`) or LRU down to `keepStorage`. Records
 * held by a running build (see lease.ts) stay, and so does everything they refer to.
 */
export async function prune(
  store: CacheStore,
  owners: GcOwners,
  options: PruneOptions = {},
): Promise<PruneReport> {
  return pruneMeasured(store, owners, options, (await du(store)).totalBytes);
}

/** `prune` of a store already measured at `before` bytes (a walk of the whole store saved). */
async function pruneMeasured(
  store: CacheStore,
  owners: GcOwners,
  options: PruneOptions,
  before: number,
): Promise<PruneReport> {
  const now = options.now ?? Date.now();
  const live = await liveLeases(store.root);
  const held = live.keys;
  // What was made since the oldest running operation began (or since this GC began) may be about
  // to be recorded or tagged; everything older is judged by references alone.
  const protectFrom = Math.min(now, live.oldestSince ?? now);
  const entries = await loadRecords(store);
  const removable = entries.filter((e) => !held.has(e.record.key));
  const doomed = new Set<string>();
  for (const entry of removable) {
    const old = options.untilMs !== undefined && entry.lastUsed < now - options.untilMs;
    if (options.all === true || old) doomed.add(entry.record.key);
  }
  if (options.keepStorage !== undefined) {
    await chooseLru(store.root, entries, removable, doomed, before, options.keepStorage);
  }
  for (const key of doomed) await store.remove(key);
  const survivors = entries.filter((e) => !doomed.has(e.record.key)).map((e) => e.record);
  await sweepCacheFiles(store, survivors, protectFrom - FILE_CLOCK_SLACK_MS);
  const snapshots = await removeOrphanSnapshots(owners, survivors, protectFrom);
  await owners.collectBlobs?.(protectFrom - FILE_CLOCK_SLACK_MS);
  const after = (await du(store)).totalBytes;
  return { records: doomed.size, snapshots, freedBytes: Math.max(0, before - after) };
}

/** Automatic GC after a build: prune least recently used records only when over the budget. */
export async function gcIfOverBudget(
  store: CacheStore,
  owners: GcOwners,
  budgetBytes: number,
): Promise<PruneReport | undefined> {
  const used = (await du(store)).totalBytes;
  if (used <= budgetBytes) return undefined;
  return pruneMeasured(store, owners, { keepStorage: budgetBytes }, used);
}

/** For the image store's GC roots: every blob a cache record refers to. */
export function cacheBlobRoots(store: CacheStore): () => Promise<string[]> {
  return async () => {
    const digests = new Set<string>();
    for (const { record } of await loadRecords(store))
      for (const blob of refsOf(record).blobs) digests.add(blob);
    return [...digests];
  };
}

interface Entry {
  readonly record: CacheRecord;
  readonly lastUsed: number;
}

async function loadRecords(store: CacheStore): Promise<Entry[]> {
  const out: Entry[] = [];
  for (const info of await store.list()) {
    const record = await store.get(info.key);
    if (record !== undefined) out.push({ record, lastUsed: info.lastUsed });
  }
  return out;
}

/** Least recently used first, until the estimated total fits; shared snapshots and blobs count once. */
async function chooseLru(
  root: string,
  entries: readonly Entry[],
  removable: readonly Entry[],
  doomed: Set<string>,
  total: number,
  budget: number,
): Promise<void> {
  const dirs = storeDirs(root);
  const users = new Map<string, number>();
  const live = entries.filter((e) => !doomed.has(e.record.key));
  for (const { record } of live) for (const ref of allRefs(record)) users.set(ref, (users.get(ref) ?? 0) + 1);
  let estimate = total;
  for (const entry of [...removable].sort((a, b) => a.lastUsed - b.lastUsed)) {
    if (estimate <= budget) return;
    if (doomed.has(entry.record.key)) continue;
    doomed.add(entry.record.key);
    const refs = refsOf(entry.record);
    for (const id of refs.snapshots) {
      if (release(users, id)) estimate -= await diskUsage(path.join(dirs.snapshots, id));
    }
    for (const digest of refs.blobs) {
      if (release(users, digest)) estimate -= await diskUsage(path.join(dirs.blobs, digest.slice(7)));
    }
  }
}

function allRefs(record: CacheRecord): string[] {
  const refs = refsOf(record);
  return [...refs.snapshots, ...refs.blobs];
}

/** Drop one use; true when nothing else uses the ref any more. */
function release(users: Map<string, number>, ref: string): boolean {
  const left = (users.get(ref) ?? 1) - 1;
  users.set(ref, left);
  return left === 0;
}

async function removeOrphanSnapshots(
  owners: GcOwners,
  survivors: readonly CacheRecord[],
  protectFrom: number,
) {
  const snapshots = await owners.listSnapshots();
  const parent = new Map(snapshots.map((s) => [s.id, s.parent]));
  const keep = new Set<string>();
  const mark = (id: string | undefined): void => {
    for (let at = id; at !== undefined && !keep.has(at); at = parent.get(at)) keep.add(at);
  };
  for (const record of survivors) for (const id of refsOf(record).snapshots) mark(id);
  // An image's layers unpacked into one snapshot serve every later step on that image.
  const chains = new Set(survivors.flatMap((r) => layerChainOf(r) ?? []));
  for (const s of snapshots) {
    if (s.active === true || s.createdAt >= protectFrom) mark(s.id);
    else if (s.chainId !== undefined && chains.has(s.chainId)) mark(s.id);
  }
  const depth = (id: string): number => {
    let d = 0;
    for (let at = parent.get(id); at !== undefined; at = parent.get(at)) d++;
    return d;
  };
  // Children before parents, so no remaining snapshot ever lacks a lower dir.
  const doomed = snapshots
    .filter((s) => !keep.has(s.id) && s.active !== true)
    .sort((a, b) => depth(b.id) - depth(a.id));
  for (const s of doomed) await owners.removeSnapshot(s.id);
  return doomed.length;
}

/** The chain id of all the layers of a record's result (an image or a built state), if it has layers. */
function layerChainOf(record: CacheRecord): string | undefined {
  const layers = (record.result as { layers?: unknown } | undefined)?.layers;
  if (!Array.isArray(layers) || layers.length === 0) return undefined;
  const diffIds = layers.map((l) => (l as { diffId?: unknown }).diffId);
  if (!diffIds.every((d): d is string => typeof d === 'string')) return undefined;
  return chainIdOf(diffIds);
}

/**
 * Content manifests and explain-index markers that only removed records used. Files made since
 * `protectFrom` are kept: a put writes its manifest before its record and its markers after it.
 */
async function sweepCacheFiles(
  store: CacheStore,
  survivors: readonly CacheRecord[],
  protectFrom: number,
): Promise<void> {
  const stale = async (file: string): Promise<boolean> =>
    ((await lstat(file).catch(() => undefined))?.mtimeMs ?? 0) < protectFrom;
  const layout = cacheLayout(store.root);
  const liveContent = new Set(survivors.map((r) => r.contentDigest?.slice(7)).filter((d) => d !== undefined));
  for (const name of await readdir(layout.content).catch(() => [] as string[])) {
    const file = path.join(layout.content, name);
    if (!liveContent.has(name.replace(/\.json$/, '')) && (await stale(file))) await rm(file, { force: true });
  }
  const liveKeys = new Set(survivors.map((r) => r.key.slice(7)));
  for (const kind of await readdir(layout.index).catch(() => [] as string[])) {
    for (const bucket of await readdir(path.join(layout.index, kind)).catch(() => [] as string[])) {
      const dir = path.join(layout.index, kind, bucket);
      const markers = await readdir(dir).catch(() => [] as string[]);
      const dead: string[] = [];
      for (const m of markers) if (!liveKeys.has(m) && (await stale(path.join(dir, m)))) dead.push(m);
      await Promise.all(dead.map((m) => rm(path.join(dir, m), { force: true })));
    }
  }
}
