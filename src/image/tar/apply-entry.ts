import { execFile } from 'node:child_process';
import { constants, promises as fsp } from 'node:fs';
import { promisify } from 'node:util';
import type { Header } from 'tar-stream';
import { isOverlayXattr, writeXattr } from './xattrs.ts';

const run = promisify(execFile);

/** Deferred directory metadata: set after the whole layer so adding children does not undo it. */
export interface DirMeta {
  readonly path: string;
  readonly mode: number;
  readonly mtime: Date;
}

export interface EntryMeta {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
  readonly mtime: Date;
  readonly xattrs: ReadonlyMap<string, Buffer>;
}

/** Removes whatever is at `target` (never following it) unless it is a directory to keep. */
export async function clearPlace(target: string, keepDirectory: boolean): Promise<'kept' | 'cleared'> {
  const stat = await fsp.lstat(target).catch(() => undefined);
  if (!stat) return 'cleared';
  if (stat.isDirectory() && keepDirectory) return 'kept';
  await fsp.rm(target, { recursive: true, force: true });
  return 'cleared';
}

/** Writes a regular file's data; O_EXCL|O_NOFOLLOW so nothing planted at the path is written through. */
export async function writeFileEntry(target: string, data: AsyncIterable<unknown>): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await fsp.open(target, flags, 0o600);
  try {
    for await (const chunk of data) await handle.write(chunk as Buffer);
  } finally {
    await handle.close();
  }
}

export async function makeNode(target: string, header: Header): Promise<void> {
  if (header.type === 'fifo') {
    await run('mkfifo', ['-m', '600', '--', target]);
    return;
  }
  const kind = header.type === 'block-device' ? 'b' : 'c';
  await run('mknod', ['-m', '600', '--', target, kind, String(header.devmajor), String(header.devminor)]);
}

/**
 * Ownership, xattrs, mode and times, in that order: chown clears setuid bits and file
 * capabilities, so it must come before both. Overlay's own xattrs are never restored (they would
 * let a layer redirect or hide files once the snapshot is an overlay lower dir).
 */
/** Returns how many xattrs could not be set (see writeXattr). */
export async function applyOwnerAndXattrs(target: string, meta: EntryMeta, asRoot: boolean): Promise<number> {
  if (asRoot) await fsp.lchown(target, meta.uid, meta.gid);
  let skipped = 0;
  for (const [name, value] of meta.xattrs) {
    if (!isOverlayXattr(name) && !writeXattr(target, name, value)) skipped++;
  }
  return skipped;
}

export async function applyMeta(
  target: string,
  meta: EntryMeta,
  kind: 'file' | 'symlink',
  asRoot: boolean,
): Promise<number> {
  const skipped = await applyOwnerAndXattrs(target, meta, asRoot);
  if (kind === 'file') await fsp.chmod(target, meta.mode & 0o7777);
  await fsp.lutimes(target, meta.mtime, meta.mtime);
  return skipped;
}

export async function applyDirMeta(dirs: readonly DirMeta[]): Promise<void> {
  const deepestFirst = [...dirs].sort((a, b) => b.path.length - a.path.length);
  for (const dir of deepestFirst) {
    await fsp.chmod(dir.path, dir.mode & 0o7777);
    await fsp.utimes(dir.path, dir.mtime, dir.mtime);
  }
}
