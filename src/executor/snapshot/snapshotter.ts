/**
 * The snapshot store: committed snapshots are immutable layers in overlay upper-dir form, chained
 * by parent; an active snapshot is a fresh upper dir over its parent's chain. Both overlay and copy
 * kinds share this layout, they differ only in how a container's rootfs is built (rootfs.ts).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TsbuildError } from '../../errors.ts';
import { createSnapshotDir, recordId } from './allocate.ts';
import { flattenedCopies } from './flatten.ts';
import { lookupInLayers } from './lookup.ts';
import { ID_PATTERN, readMeta, type SnapshotMeta, snapshotDir, snapshotsDir, writeMeta } from './meta.ts';
import { type KindDecision, probeOverlay } from './probe.ts';
import type {
  ActiveSnapshot,
  CommitOptions,
  LookupOptions,
  LookupResult,
  SnapshotInfo,
  Snapshotter,
  SnapshotterKind,
} from './types.ts';

export interface SnapshotterOptions {
  readonly root: string;
  /** `auto` (default) probes an overlay mount once and falls back to `copy` when it fails. */
  readonly kind?: SnapshotterKind | 'auto';
}

function toInfo(root: string, meta: SnapshotMeta): SnapshotInfo {
  return {
    id: meta.id,
    parent: meta.parent,
    state: meta.state,
    chainId: meta.chainId,
    labels: meta.labels,
    fsDir: join(snapshotDir(root, meta.id), 'fs'),
    createdAt: meta.createdAt,
  };
}

export function createSnapshotter(options: SnapshotterOptions): Snapshotter {
  const { root } = options;
  const requested = options.kind ?? 'auto';
  // Committed snapshots never change, so their records can be remembered (existence is rechecked).
  const committed = new Map<string, SnapshotMeta>();
  let decision: Promise<KindDecision> | undefined;

  function resolveKind(): Promise<KindDecision> {
    if (decision === undefined) {
      decision =
        requested === 'auto'
          ? probeOverlay(root)
          : Promise.resolve({ kind: requested, reason: `${requested} snapshots requested` });
    }
    return decision;
  }

  async function meta(id: string): Promise<SnapshotMeta | undefined> {
    const cached = committed.get(id);
    if (cached !== undefined) {
      if (await exists(join(snapshotDir(root, id), 'meta.json'))) return cached;
      committed.delete(id);
      return undefined;
    }
    const loaded = await readMeta(root, id);
    if (loaded?.state === 'committed') committed.set(id, loaded);
    return loaded;
  }

  async function requireMeta(id: string): Promise<SnapshotMeta> {
    const found = await meta(id);
    if (found === undefined) {
      throw new TsbuildError('SNAPSHOT', `Snapshot ${id} does not exist in ${snapshotsDir(root)}`, {
        hint: 'The store may have been pruned; rebuild without cache (--no-cache) to recreate it.',
      });
    }
    return found;
  }

  async function lowerDirs(id: string): Promise<readonly string[]> {
    const chain: string[] = [];
    const seen = new Set<string>();
    let current: string | undefined = id;
    while (current !== undefined) {
      if (seen.has(current)) {
        throw new TsbuildError('SNAPSHOT', `Snapshot ${id} has a parent loop at ${current}`, {
          hint: 'The snapshot store is corrupt; remove it and rebuild.',
        });
      }
      seen.add(current);
      const found: SnapshotMeta = await requireMeta(current);
      chain.push(join(snapshotDir(root, current), 'fs'));
      current = found.parent;
    }
    return chain;
  }

  async function list(): Promise<readonly SnapshotInfo[]> {
    let names: string[];
    try {
      names = await readdir(snapshotsDir(root));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const metas = await Promise.all(names.filter((name) => ID_PATTERN.test(name)).map((name) => meta(name)));
    return metas
      .filter((found): found is SnapshotMeta => found !== undefined)
      .sort((a, b) => Number(a.id) - Number(b.id))
      .map((found) => toInfo(root, found));
  }

  async function prepare(parent: string | undefined): Promise<ActiveSnapshot> {
    const { kind } = await resolveKind();
    if (parent !== undefined) {
      const parentMeta = await requireMeta(parent);
      if (parentMeta.state !== 'committed') {
        throw new TsbuildError('SNAPSHOT', `Cannot prepare on snapshot ${parent}: it is not committed yet`);
      }
    }
    const parentChain = parent === undefined ? [] : await lowerDirs(parent);
    const base = await createSnapshotDir(root, { parent, labels: {} }, [
      { name: 'fs', mode: 0o755 },
      { name: 'work', mode: 0o700 },
    ]);
    const { id } = base;
    const dir = snapshotDir(root, id);
    const upperDir = join(dir, 'fs');
    const workDir = join(dir, 'work');
    let finished = false;
    const finish = (): void => {
      if (finished) throw new TsbuildError('SNAPSHOT', `Snapshot ${id} was already committed or aborted`);
      finished = true;
    };
    return {
      id,
      kind,
      upperDir,
      workDir,
      lowerDirs: parentChain,
      async commit(commitOptions: CommitOptions = {}): Promise<string> {
        finish();
        await rm(workDir, { recursive: true, force: true });
        const done: SnapshotMeta = {
          ...base,
          state: 'committed',
          chainId: commitOptions.chainId,
          labels: { ...commitOptions.labels },
          owner: undefined,
        };
        await writeMeta(root, done);
        committed.set(id, done);
        return id;
      },
      async abort(): Promise<void> {
        finish();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }

  async function remove(id: string): Promise<void> {
    await requireMeta(id);
    const children = (await list()).filter((info) => info.parent === id);
    if (children.length > 0) {
      const names = children.map((child) => `${child.id} (${child.state})`).join(', ');
      throw new TsbuildError('SNAPSHOT', `Cannot remove snapshot ${id}: snapshots ${names} are built on it`, {
        hint: 'Remove the children first (garbage collection removes from the top down).',
      });
    }
    await recordId(root, Number(id));
    committed.delete(id);
    // Flattened copies of this chain are derived data: they go with it.
    for (const copy of await flattenedCopies(root, id)) {
      committed.delete(copy);
      await rm(snapshotDir(root, copy), { recursive: true, force: true });
    }
    // meta.json goes first so a crash mid-removal leaves a dir that sweep recognises as garbage.
    await rm(join(snapshotDir(root, id), 'meta.json'), { force: true });
    await rm(snapshotDir(root, id), { recursive: true, force: true });
  }

  return {
    resolveKind,
    prepare,
    async get(id: string): Promise<SnapshotInfo> {
      return toInfo(root, await requireMeta(id));
    },
    lowerDirs,
    async findByChainId(chainId: string): Promise<SnapshotInfo | undefined> {
      return (await list()).find((info) => info.state === 'committed' && info.chainId === chainId);
    },
    remove,
    list,
    async lookupPath(id: string, path: string, lookupOptions?: LookupOptions): Promise<LookupResult> {
      return lookupInLayers(await lowerDirs(id), path, lookupOptions);
    },
  } satisfies Snapshotter;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
