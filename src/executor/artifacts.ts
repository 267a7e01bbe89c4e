/**
 * Mount points the runtime creates in the rootfs (/proc, /dev, /sys, /etc/hosts, RUN --mount
 * targets...) are not the step's work and must not reach the layer. Before the run we note which
 * targets (and parents) do not exist yet; afterwards each one still empty is removed from the
 * upper dir, as are parent dirs that were only copied up to hold them. (Copy snapshots create
 * them before recording the rootfs instead, and leave them out of the diff.)
 */
import { lstat, mkdir, readdir, rmdir, unlink, utimes, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { lookupInLayers } from './snapshot/lookup.ts';
import { isOpaqueDir } from './snapshot/whiteout.ts';

export type StubKind = 'file' | 'directory';

export interface MountTarget {
  readonly destination: string;
  readonly kind: StubKind;
}

export interface MountStub {
  readonly path: string;
  readonly kind: StubKind;
}

export interface MountStubs {
  /** Rootfs paths that did not exist before the run, deepest first. */
  readonly created: readonly MountStub[];
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
  targets: readonly MountTarget[],
): Promise<MountStubs> {
  const created = new Map<string, StubKind>();
  const copiedUp = new Map<string, string>();
  for (const target of targets) {
    const found = await lookupInLayers(layers, target.destination);
    if (found.kind !== 'missing' || !found.creatable) continue;
    if (!created.has(found.path)) created.set(found.path, target.kind);
    // A path that is both a target and the parent of another one must be a directory.
    for (const dir of ancestors(found.path, found.existingParent)) created.set(dir, 'directory');
    let parent = found.existingParent;
    while (parent !== '/') {
      const existing = await lookupInLayers(layers, parent, { followFinal: false });
      if (existing.kind === 'found') copiedUp.set(parent, existing.hostPath);
      parent = posix.dirname(parent);
    }
  }
  const deepestFirst = (a: string, b: string): number => b.split('/').length - a.split('/').length;
  return {
    created: [...created.entries()]
      .sort(([a], [b]) => deepestFirst(a, b))
      .map(([path, kind]) => ({ path, kind })),
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

/** Creates the stubs in a plain rootfs, parents first, as the runtime would. */
export async function createMountStubs(rootfs: string, stubs: MountStubs): Promise<void> {
  for (const stub of [...stubs.created].reverse()) {
    const hostPath = posix.join(rootfs, stub.path);
    // recursive: a parent may be a WORKDIR still to be created, which is not a stub.
    await mkdir(posix.dirname(hostPath), { recursive: true, mode: 0o755 });
    if (stub.kind === 'directory') await mkdir(hostPath, { recursive: true, mode: 0o755 });
    else await writeFile(hostPath, '', { mode: 0o644 });
  }
}

/** Removes the stubs the runtime left in an upper dir, and parents that were copied up only for them. */
export async function removeMountStubs(upperDir: string, stubs: MountStubs): Promise<void> {
  for (const { path } of stubs.created) {
    const hostPath = posix.join(upperDir, path);
    const stats = await lstatOrUndefined(hostPath);
    if (stats === undefined) continue;
    const isStub = stats.isDirectory() ? await isEmptyDir(hostPath) : stats.isFile() && stats.size === 0;
    if (isStub) await removeKeepingParentTimes(hostPath, stats.isDirectory());
  }
  for (const { path, hostPath: lowerPath } of stubs.copiedUp) {
    const upperPath = posix.join(upperDir, path);
    if (upperPath === lowerPath) continue;
    const [upper, lower] = await Promise.all([lstatOrUndefined(upperPath), lstatOrUndefined(lowerPath)]);
    if (upper === undefined || lower === undefined || !upper.isDirectory()) continue;
    const sameMetadata = upper.mode === lower.mode && upper.uid === lower.uid && upper.gid === lower.gid;
    if (!sameMetadata || !(await isEmptyDir(upperPath)) || (await isOpaqueDir(upperPath))) continue;
    await removeKeepingParentTimes(upperPath, true);
  }
}
