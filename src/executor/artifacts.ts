/**
 * Mount points the runtime creates in the rootfs (/proc, /dev, /sys, /etc/hosts, RUN --mount
 * targets...) are not the step's work and must not reach the layer. Before the run we note which
 * targets (and parents) do not exist yet; afterwards each one still empty is removed from the
 * rootfs's writable layer, as are parent dirs that were only copied up to hold them.
 */
import { lstat, readdir, rmdir, unlink, utimes } from 'node:fs/promises';
import { posix } from 'node:path';
import { lookupInLayers } from './snapshot/lookup.ts';
import { isOpaqueDir } from './snapshot/whiteout.ts';

export interface MountStubs {
  /** Rootfs paths that did not exist before the run, deepest first. */
  readonly created: readonly string[];
  /** Existing ancestors of created paths (deepest first) that a copy-up may have dragged into the upper dir. */
  readonly copiedUp: readonly { readonly path: string; readonly hostPath: string }[];
}

function ancestors(path: string, stopAt: string): string[] {
  const result: string[] = [];
  let current = posix.dirname(path);
  while (current !== stopAt && current !== '/' && current.startsWith(stopAt === '/' ? '/' : `${stopAt}/`)) {
    result.push(current);
    current = posix.dirname(current);
  }
  return result;
}

export async function findMountStubs(
  layers: readonly string[],
  targets: readonly string[],
): Promise<MountStubs> {
  const created = new Set<string>();
  const copiedUp = new Map<string, string>();
  for (const target of targets) {
    const found = await lookupInLayers(layers, target);
    if (found.kind !== 'missing' || !found.creatable) continue;
    created.add(found.path);
    for (const dir of ancestors(found.path, found.existingParent)) created.add(dir);
    let parent = found.existingParent;
    while (parent !== '/') {
      const existing = await lookupInLayers(layers, parent, { followFinal: false });
      if (existing.kind === 'found') copiedUp.set(parent, existing.hostPath);
      parent = posix.dirname(parent);
    }
  }
  const deepestFirst = (a: string, b: string): number => b.split('/').length - a.split('/').length;
  return {
    created: [...created].sort(deepestFirst),
    copiedUp: [...copiedUp.entries()]
      .sort(([a], [b]) => deepestFirst(a, b))
      .map(([path, hostPath]) => ({ path, hostPath })),
  };
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch {
    return undefined;
  }
}

/** Removes an entry and puts its parent's timestamps back, so the removal itself leaves no trace. */
async function removeKeepingParentTimes(path: string, isDirectory: boolean): Promise<void> {
  const parent = posix.dirname(path);
  const before = await lstatOrUndefined(parent);
  await (isDirectory ? rmdir(path) : unlink(path));
  if (before !== undefined) await utimes(parent, before.atime, before.mtime);
}

async function isEmptyDir(path: string): Promise<boolean> {
  return (await readdir(path)).length === 0;
}

/**
 * `writableDir` is the upper dir (overlay) or the materialised rootfs (copy); `lowerLayers` are
 * the layers below it, used to tell a pure copy-up from a directory the step changed.
 */
export async function removeMountStubs(
  writableDir: string,
  stubs: MountStubs,
  mode: 'upper' | 'rootfs',
): Promise<void> {
  for (const path of stubs.created) {
    const hostPath = posix.join(writableDir, path);
    const stats = await lstatOrUndefined(hostPath);
    if (stats === undefined) continue;
    const isStub = stats.isDirectory() ? await isEmptyDir(hostPath) : stats.isFile() && stats.size === 0;
    if (isStub) await removeKeepingParentTimes(hostPath, stats.isDirectory());
  }
  if (mode === 'rootfs') return;
  for (const { path, hostPath: lowerPath } of stubs.copiedUp) {
    const upperPath = posix.join(writableDir, path);
    if (upperPath === lowerPath) continue;
    const [upper, lower] = await Promise.all([lstatOrUndefined(upperPath), lstatOrUndefined(lowerPath)]);
    if (upper === undefined || lower === undefined || !upper.isDirectory()) continue;
    const sameMetadata = upper.mode === lower.mode && upper.uid === lower.uid && upper.gid === lower.gid;
    if (!sameMetadata || !(await isEmptyDir(upperPath)) || (await isOpaqueDir(upperPath))) continue;
    await removeKeepingParentTimes(upperPath, true);
  }
}
