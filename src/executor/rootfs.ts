/**
 * How a container gets its root filesystem over an active snapshot. Overlay: the parent chain as
 * lowerdirs (shortened by flattening when too long) and the snapshot's upper dir, mounted by the
 * setup script in the private namespace. Copy: a materialised plain directory, diffed afterwards.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TsbuildError } from '../errors.ts';
import { createMountStubs, type MountStubs, removeMountStubs } from './artifacts.ts';
import { shellQuote } from './private-ns.ts';
import { mountableChain } from './snapshot/flatten.ts';
import { materialiseLayers } from './snapshot/materialise.ts';
import { snapshotsDir } from './snapshot/meta.ts';
import { overlayOptions } from './snapshot/overlay-options.ts';
import { recordTree, type TreeState, writeDiff } from './snapshot/tree-diff.ts';
import type { ActiveSnapshot } from './snapshot/types.ts';

export interface RootfsPlan {
  /** Absolute path the runtime uses as root (a mount point inside the private namespace). */
  readonly path: string;
  /** Setup script lines that make `path` the rootfs. */
  readonly setup: readonly string[];
  /** Before the runtime starts, with the mount points it would create. */
  beforeLaunch(stubs: MountStubs): Promise<void>;
  /** After the step: leaves exactly the step's changes in the snapshot's upper dir. */
  finish(stubs: MountStubs, outcome: 'exited' | 'interrupted'): Promise<void>;
}

export async function planOverlayRootfs(
  root: string,
  snapshot: ActiveSnapshot,
  bundleDir: string,
  maxLayers?: number,
): Promise<RootfsPlan> {
  const baseDir = snapshotsDir(root);
  const path = join(bundleDir, 'rootfs');
  await mkdir(path);
  const extra = { upperDir: snapshot.upperDir, workDir: snapshot.workDir };
  let lowers = await mountableChain(root, snapshot.lowerDirs, extra, maxLayers);
  if (lowers.length === 0) {
    // overlayfs needs a lower layer even for a step on scratch.
    const empty = join(bundleDir, 'empty');
    await mkdir(empty);
    lowers = [empty];
  }
  const layout = { lowerDirs: lowers, upperDir: snapshot.upperDir, workDir: snapshot.workDir };
  return {
    path,
    beforeLaunch: async () => {},
    finish: (stubs) => removeMountStubs(snapshot.upperDir, stubs),
    setup: [
      `cd ${shellQuote(baseDir)}`,
      `mount -t overlay overlay -o ${shellQuote(overlayOptions(baseDir, layout))} ${shellQuote(path)}`,
    ],
  };
}

/**
 * Copy snapshots: the rootfs is a plain directory holding the merged view of the chain; after the
 * step its changes are written into the snapshot's upper dir in overlay form.
 */
export async function planCopyRootfs(snapshot: ActiveSnapshot, bundleDir: string): Promise<RootfsPlan> {
  if ((await readdir(snapshot.upperDir)).length > 0) {
    throw new TsbuildError(
      'SNAPSHOT',
      `Snapshot ${snapshot.id} already has changes; copy snapshots run a step only on a fresh one`,
      {
        hint: 'Prepare a new snapshot for each RUN step.',
      },
    );
  }
  const path = join(bundleDir, 'rootfs');
  await mkdir(path);
  await materialiseLayers(snapshot.lowerDirs, path);
  let before: TreeState | undefined;
  return {
    path,
    setup: [],
    async beforeLaunch(stubs: MountStubs): Promise<void> {
      // Made before the rootfs is recorded, so neither they nor their parents' times count as changes.
      await createMountStubs(path, stubs);
      before = await recordTree(path);
    },
    async finish(stubs: MountStubs, outcome: 'exited' | 'interrupted'): Promise<void> {
      if (outcome !== 'exited' || before === undefined) return;
      await writeDiff(path, before, snapshot.upperDir, new Set(stubs.created.map((stub) => stub.path)));
    },
  };
}
