/**
 * How a container gets its root filesystem over an active snapshot. Overlay: the parent chain as
 * lowerdirs and the snapshot's upper dir, mounted by the setup script in the private namespace.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TsbuildError } from '../errors.ts';
import { shellQuote } from './private-ns.ts';
import { fitsOneMount, overlayOptions } from './snapshot/overlay-options.ts';
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
  snapshot: ActiveSnapshot,
  lowerDirs: readonly string[],
  bundleDir: string,
  baseDir: string,
): Promise<RootfsPlan> {
  const path = join(bundleDir, 'rootfs');
  await mkdir(path);
  let lowers = lowerDirs;
  if (lowers.length === 0) {
    // overlayfs needs a lower layer even for a step on scratch.
    const empty = join(bundleDir, 'empty');
    await mkdir(empty);
    lowers = [empty];
  }
  const layout = { lowerDirs: lowers, upperDir: snapshot.upperDir, workDir: snapshot.workDir };
  if (!fitsOneMount(baseDir, layout)) {
    throw new TsbuildError('SNAPSHOT', `Snapshot ${snapshot.id} has too many layers for one overlay mount`, {
      hint: 'Flatten the chain first (flattenChain) and mount the shortened chain.',
    });
  }
  return {
    path,
    writableDir: snapshot.upperDir,
    setup: [
      `cd ${shellQuote(baseDir)}`,
      `mount -t overlay overlay -o ${shellQuote(overlayOptions(baseDir, layout))} ${shellQuote(path)}`,
    ],
  };
}
