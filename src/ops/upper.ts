/**
 * Writing into a fresh upper dir without a mount: paths are resolved through
 * the layers below (the rootfs's own symlinks, never the host's), and parent
 * directories that exist below are "copied up" with their metadata, as
 * overlayfs would do, so the layer records them exactly.
 */
import { chmod, chown as fsChown, lstat, mkdir, utimes } from 'node:fs/promises';
import { posix } from 'node:path';
import { TsbuildError } from '../errors.ts';
import { lookupInLayers } from '../executor/index.ts';

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** The layer dirs a lookup sees: the upper dir first, then the parent chain. */
export function stackOf(upperDir: string, lowerDirs: readonly string[]): readonly string[] {
  return [upperDir, ...lowerDirs];
}

async function existsInUpper(path: string): Promise<'dir' | 'other' | 'none'> {
  try {
    const st = await lstat(path);
    return st.isDirectory() ? 'dir' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw err;
  }
}

/**
 * Makes `path` (absolute in the rootfs) a directory in the upper dir, with
 * every parent. Returns the resolved rootfs path. Directories that exist below
 * keep their mode, owner and mtime; new ones get `owner` and mode 0755.
 */
export async function ensureDir(
  upperDir: string,
  lowerDirs: readonly string[],
  path: string,
  owner: Owner,
): Promise<string> {
  const found = await lookupInLayers(stackOf(upperDir, lowerDirs), path);
  if (found.kind === 'found' && found.type !== 'directory') {
    throw new TsbuildError('SNAPSHOT', `${path} exists in the image and is not a directory`, {
      hint: 'choose a destination that is a directory, or remove the file in an earlier step',
    });
  }
  if (found.kind === 'missing' && !found.creatable) {
    throw new TsbuildError('SNAPSHOT', `cannot create ${path}: a parent in the image is not a directory`);
  }
  const resolved = found.path;
  let current = '/';
  for (const part of resolved.split('/').filter(Boolean)) {
    current = posix.join(current, part);
    const target = posix.join(upperDir, current);
    const state = await existsInUpper(target);
    if (state === 'dir') continue;
    if (state === 'other') {
      throw new TsbuildError('SNAPSHOT', `cannot create directory ${current}: something else is there`);
    }
    const below = await lookupInLayers(lowerDirs, current, { followFinal: false });
    await mkdir(target);
    if (below.kind === 'found' && below.type === 'directory') {
      const st = await lstat(below.hostPath);
      await fsChown(target, st.uid, st.gid);
      await chmod(target, st.mode & 0o7777);
      await utimes(target, st.atime, st.mtime);
    } else {
      await fsChown(target, owner.uid, owner.gid);
      await chmod(target, 0o755);
    }
  }
  return resolved;
}
