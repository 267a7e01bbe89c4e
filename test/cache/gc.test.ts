import { mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CacheStore,
  cacheBlobRoots,
  computeCacheKey,
  createLease,
  du,
  type GcOwners,
  gcIfOverBudget,
  openCacheStore,
  prune,
} from '../../src/cache/index.ts';
import { chainIdOf } from '../../src/image/index.ts';
import { tempDirsForEachTest } from './tmp.ts';

const tempDir = tempDirsForEachTest();
const HOUR = 3600_000;

interface FakeStore {
  readonly root: string;
  readonly store: CacheStore;
  readonly owners: GcOwners;
  snapshot(
    id: string,
    bytes: number,
    parent?: string,
    createdAt?: number,
    extra?: { active?: boolean; chainId?: string },
  ): Promise<void>;
  record(n: number, snapshotId: string, lastUsedAgoMs: number): Promise<string>;
  snapshots(): Promise<string[]>;
}

/** A store root with snapshot dirs laid out as the executor does, and owners that act on them. */
async function fakeStore(): Promise<FakeStore> {
  const root = await tempDir('tsbuild-root-');
  const store = await openCacheStore(root);
  const meta = new Map<
    string,
    { parent: string | undefined; createdAt: number; active?: boolean; chainId?: string }
  >();
  const owners: GcOwners = {
    listSnapshots: async () => [...meta].map(([id, m]) => ({ id, ...m })),
    removeSnapshot: async (id) => {
      const children = [...meta.values()].filter((m) => m.parent === id);
      if (children.length > 0) throw new Error(`snapshot ${id} still has children`);
      meta.delete(id);
      await rm(path.join(root, 'snapshots', id), { recursive: true, force: true });
    },
  };
  return {
    root,
    store,
    owners,
    async snapshot(id, bytes, parent, createdAt = Date.now() - 24 * HOUR, extra = {}) {
      await mkdir(path.join(root, 'snapshots', id, 'fs'), { recursive: true });
      await writeFile(path.join(root, 'snapshots', id, 'fs', 'data'), Buffer.alloc(bytes, 1));
      meta.set(id, { parent, createdAt, ...extra });
    },
    async record(n, snapshotId, lastUsedAgoMs) {
      const key = computeCacheKey({ n }, []);
      await store.put(key, { result: { snapshotId }, description: `step ${n}` });
      const hex = key.slice(7);
      const when = new Date(Date.now() - lastUsedAgoMs);
      await utimes(path.join(root, 'cache', 'records', hex.slice(0, 2), `${hex}.json`), when, when);
      return key;
    },
    snapshots: async () => (await readdir(path.join(root, 'snapshots')).catch(() => [])).sort(),
  };
}

describe('du', () => {
  it('reports space by kind and, verbose, per record least recently used first', async () => {
    const s = await fakeStore();
    await s.snapshot('1', 64 * 1024);
    await s.snapshot('2', 8 * 1024);
    await mkdir(path.join(s.root, 'blobs', 'sha256'), { recursive: true });
    await writeFile(path.join(s.root, 'blobs', 'sha256', 'ab'.repeat(32)), Buffer.alloc(16 * 1024));
    const recent = await s.record(1, '1', 0);
    const old = await s.record(2, '2', 5 * HOUR);
    const report = await du(s.store, { verbose: true });
    expect(report.snapshots.count).toBe(2);
    expect(report.snapshots.bytes).toBeGreaterThanOrEqual(72 * 1024);
    expect(report.blobs).toMatchObject({ count: 1 });
    expect(report.blobs.bytes).toBeGreaterThanOrEqual(16 * 1024);
    expect(report.records.count).toBe(2);
    expect(report.totalBytes).toBe(
      report.snapshots.bytes + report.blobs.bytes + report.cacheMounts.bytes + report.records.bytes,
    );
    expect(report.perRecord?.map((r) => r.key)).toEqual([old, recent]);
    expect(report.perRecord?.[1]).toMatchObject({ description: 'step 1', snapshots: ['1'] });
    expect(report.perRecord?.[1]?.bytes).toBeGreaterThanOrEqual(64 * 1024);
  });
});

describe('prune', () => {
  it('without options removes only orphan snapshots, keeping parents of referenced ones', async () => {
    const s = await fakeStore();
    await s.snapshot('base', 1024);
    await s.snapshot('child', 1024, 'base');
    await s.snapshot('orphan', 1024);
    // Made after this GC began: it may be about to be recorded.
    await s.snapshot('fresh', 1024, undefined, Date.now() + 60_000);
    await s.record(1, 'child', HOUR);
    const report = await prune(s.store, s.owners);
    expect(report).toMatchObject({ records: 0, snapshots: 1 });
    expect(await s.snapshots()).toEqual(['base', 'child', 'fresh']);
  });

  it('spares what was made since the oldest running operation began, and nothing older', async () => {
    const s = await fakeStore();
    const minute = 60_000;
    await s.snapshot('before', 1024, undefined, Date.now() - 5 * minute);
    await s.snapshot('during', 1024, undefined, Date.now() - minute);
    // No operation runs: a minute-old orphan goes at once (no fixed grace period).
    const lease = createLease(s.root);
    await lease.open();
    await s.snapshot('made-by-running-build', 1024, undefined, Date.now() + 10);
    try {
      await prune(s.store, s.owners);
      expect(await s.snapshots()).toEqual(['made-by-running-build']);
    } finally {
      await lease.release();
    }
    // Its build ended without recording it: now it is an orphan like any other.
    await prune(s.store, s.owners, { now: Date.now() + 5 * minute });
    expect(await s.snapshots()).toEqual([]);
  });

  it('keeps active snapshots with their parents, and the unpacked form of a recorded image', async () => {
    const s = await fakeStore();
    const diffIds = [`sha256:${'1'.repeat(64)}`, `sha256:${'2'.repeat(64)}`];
    await s.snapshot('lower', 1024);
    await s.snapshot('running', 1024, 'lower', Date.now() - HOUR, { active: true });
    await s.snapshot('unpacked', 1024, undefined, Date.now() - HOUR, { chainId: chainIdOf(diffIds)! });
    await s.snapshot('unpacked-other', 1024, undefined, Date.now() - HOUR, {
      chainId: chainIdOf(diffIds.slice(0, 1))!,
    });
    await s.store.put(computeCacheKey({ image: 1 }, []), {
      result: { layers: diffIds.map((diffId) => ({ digest: diffId, diffId })) },
    });
    await prune(s.store, s.owners);
    expect(await s.snapshots()).toEqual(['lower', 'running', 'unpacked']);
  });

  it('--all removes every record a running build does not hold, and what they alone used', async () => {
    const s = await fakeStore();
    await s.snapshot('a', 1024);
    await s.snapshot('b', 1024);
    await s.record(1, 'a', HOUR);
    const heldKey = await s.record(2, 'b', HOUR);
    const lease = createLease(s.root);
    await lease.hold(heldKey);
    try {
      const report = await prune(s.store, s.owners, { all: true });
      expect(report.records).toBe(1);
      expect((await s.store.list()).map((r) => r.key)).toEqual([heldKey]);
      expect(await s.snapshots()).toEqual(['b']);
      expect(report.freedBytes).toBeGreaterThan(0);
    } finally {
      await lease.release();
    }
    await prune(s.store, s.owners, { all: true });
    expect(await s.store.list()).toEqual([]);
  });

  it('until= removes records unused for longer than the filter', async () => {
    const s = await fakeStore();
    await s.snapshot('a', 1024);
    await s.snapshot('b', 1024);
    await s.record(1, 'a', 48 * HOUR);
    const recent = await s.record(2, 'b', HOUR);
    await prune(s.store, s.owners, { untilMs: 24 * HOUR });
    expect((await s.store.list()).map((r) => r.key)).toEqual([recent]);
    expect(await s.snapshots()).toEqual(['b']);
  });

  it('keep-storage removes least recently used records until the store fits', async () => {
    const s = await fakeStore();
    for (const [n, ago] of [
      [1, 3],
      [2, 1],
      [3, 2],
    ] as const) {
      await s.snapshot(`s${n}`, 256 * 1024);
      await s.record(n, `s${n}`, ago * HOUR);
    }
    const total = (await du(s.store)).totalBytes;
    // Room for about two of the three snapshots.
    await prune(s.store, s.owners, { keepStorage: total - 200 * 1024 });
    expect(await s.snapshots()).toEqual(['s2', 's3']);
    expect((await du(s.store)).totalBytes).toBeLessThanOrEqual(total - 200 * 1024);
  });

  it('automatic GC does nothing under its budget', async () => {
    const s = await fakeStore();
    await s.snapshot('a', 1024);
    await s.record(1, 'a', 100 * HOUR);
    expect(await gcIfOverBudget(s.store, s.owners, 1024 ** 3)).toBeUndefined();
    expect(await s.snapshots()).toEqual(['a']);
    expect(await gcIfOverBudget(s.store, s.owners, 1)).toMatchObject({ records: 1, snapshots: 1 });
  });

  it('names every blob records refer to as GC roots for the image store', async () => {
    const s = await fakeStore();
    const layer = `sha256:${'c'.repeat(64)}`;
    const declared = `sha256:${'d'.repeat(64)}`;
    await s.store.put(computeCacheKey({ n: 9 }, []), {
      result: { layers: [{ digest: layer, diffId: layer }] },
      layer: { digest: declared, diffId: declared, size: 1 },
    });
    expect((await cacheBlobRoots(s.store)()).sort()).toEqual([layer, declared]);
  });
});
