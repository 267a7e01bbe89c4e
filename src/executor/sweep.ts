/**
 * Removes what crashed tsbuild processes left in a store: their containers (kill + delete through
 * the runtime, under our own state root only), bundle dirs, active snapshots never committed,
 * half-created cache mount dirs, and owner-named scratch entries in `tmp/`.
 * Leftovers of processes still alive are theirs and stay. Run before any build.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NEW_PREFIX } from './mounts/cache.ts';
import { isOwner, isOwnerAlive, type Owner } from './owner.ts';
import { cacheMountsDir, OWNED_SCRATCH, runDir, runtimeStateDir, scratchDir } from './paths.ts';
import { type Runtime, resolveRuntime } from './runtime.ts';
import { createRuntimeControl } from './runtime-control.ts';
import { recordId, stagingOwner } from './snapshot/allocate.ts';
import { ID_PATTERN, readMeta, snapshotDir, snapshotsDir } from './snapshot/meta.ts';

export interface SweepOptions {
  readonly root: string;
}

export interface SweepReport {
  readonly containers: readonly string[];
  readonly bundles: readonly string[];
  readonly snapshots: readonly string[];
  /** Cache mount dirs whose creation was interrupted. */
  readonly cacheMounts: readonly string[];
  /** Owner-named scratch entries in `<root>/tmp` of processes that are gone. */
  readonly scratch: readonly string[];
}

export interface BundleOwner extends Owner {
  /** The runtime binary that runs the container, so sweep controls it with the same one. */
  readonly runtime?: string;
}

async function readBundleOwner(root: string, id: string): Promise<BundleOwner | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(join(runDir(root), id, 'owner.json'), 'utf8'));
    return isOwner(value) ? (value as BundleOwner) : undefined;
  } catch {
    return undefined;
  }
}

async function entries(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function runtimeFor(owner: BundleOwner | undefined): Promise<Runtime | undefined> {
  try {
    return await resolveRuntime(owner?.runtime ?? 'runc');
  } catch {
    return undefined;
  }
}

async function sweepContainers(root: string): Promise<string[]> {
  const removed: string[] = [];
  const stateRoot = runtimeStateDir(root);
  for (const id of await entries(stateRoot)) {
    const owner = await readBundleOwner(root, id);
    if (isOwnerAlive(owner)) continue;
    const runtime = await runtimeFor(owner);
    if (runtime !== undefined) await createRuntimeControl(runtime, stateRoot).forceDelete(id);
    // A runtime that is gone cannot hold a container either: its state is just files now.
    await rm(join(stateRoot, id), { recursive: true, force: true });
    removed.push(id);
  }
  return removed;
}

async function sweepBundles(root: string): Promise<string[]> {
  const removed: string[] = [];
  for (const id of await entries(runDir(root))) {
    if (id === 'runc') continue;
    if (isOwnerAlive(await readBundleOwner(root, id))) continue;
    await rm(join(runDir(root), id), { recursive: true, force: true });
    removed.push(id);
  }
  return removed;
}

async function sweepSnapshots(root: string): Promise<string[]> {
  const removed: string[] = [];
  const names = await entries(snapshotsDir(root));
  for (const name of names.filter((entry) => stagingOwner(entry) !== undefined)) {
    if (isOwnerAlive(stagingOwner(name))) continue;
    await rm(join(snapshotsDir(root), name), { recursive: true, force: true });
    removed.push(name);
  }
  const ids = names.filter((name) => ID_PATTERN.test(name));
  // Removed ids must stay retired: raise the high-water mark before anything goes.
  if (ids.length > 0) await recordId(root, Math.max(...ids.map(Number)));
  for (const id of ids) {
    const meta = await readMeta(root, id);
    // Snapshot dirs are born with meta.json (allocate.ts); one without is a removal cut short.
    const garbage = meta === undefined || (meta.state === 'active' && !isOwnerAlive(meta.owner));
    if (!garbage) continue;
    await rm(snapshotDir(root, id), { recursive: true, force: true });
    removed.push(id);
  }
  return removed;
}

async function sweepCacheMounts(root: string): Promise<string[]> {
  const removed: string[] = [];
  for (const key of await entries(cacheMountsDir(root))) {
    for (const name of await entries(join(cacheMountsDir(root), key))) {
      if (!name.startsWith(NEW_PREFIX)) continue;
      const [pid, startTime] = name.slice(NEW_PREFIX.length).split('-');
      if (isOwnerAlive({ pid: Number(pid), startTime: startTime ?? '' })) continue;
      await rm(join(cacheMountsDir(root), key, name), { recursive: true, force: true });
      removed.push(`${key}/${name}`);
    }
  }
  return removed;
}

async function sweepScratch(root: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await entries(scratchDir(root))) {
    const owned = OWNED_SCRATCH.exec(name);
    if (owned === null || isOwnerAlive({ pid: Number(owned[1]), startTime: owned[2]! })) continue;
    await rm(join(scratchDir(root), name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

export async function sweep(options: SweepOptions): Promise<SweepReport> {
  const { root } = options;
  const containers = await sweepContainers(root);
  const bundles = await sweepBundles(root);
  const snapshots = await sweepSnapshots(root);
  const cacheMounts = await sweepCacheMounts(root);
  const scratch = await sweepScratch(root);
  return { containers, bundles, snapshots, cacheMounts, scratch };
}
