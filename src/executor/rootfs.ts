/**
 * How a container gets its root filesystem over an active snapshot. Overlay: the parent chain as
 * lowerdirs (shortened by flattening when too long) and the snapshot's upper dir, mounted by the
 * setup script in the private namespace.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { shellQuote } from './private-ns.ts';
import { mountableChain } from './snapshot/flatten.ts';
import { snapshotsDir } from './snapshot/meta.ts';
import { overlayOptions } from './snapshot/overlay-options.ts';
import type { ActiveSnapshot } from './snapshot/types.ts';

export interface RootfsPlan {
  /** Absolute path the runtime uses as root (a mount point inside the private namespace). */
  readonly path: string;
  /** Setup script lines that make `path` the rootfs. */
  readonly setup: readonly string[];
  /** Where the step's writes land on the host, for mount-stub cleanup. */
  readonly writableDir: string;
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
    writableDir: snapshot.upperDir,
    setup: [
      `cd ${shellQuote(baseDir)}`,
      `mount -t overlay overlay -o ${shellQuote(overlayOptions(baseDir, layout))} ${shellQuote(path)}`,
    ],
  };
}
