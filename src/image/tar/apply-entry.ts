import { execFile } from 'node:child_process';
import fs from 'node:fs';
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

/**
 * Removes whatever is at `target` (never following it) unless it is a directory to keep; says
 * whether something was removed, since that invalidates resolved parents.
 */
export function clearPlace(target: string, keepDirectory: boolean): 'kept' | 'removed' | 'absent' {
  const stat = fs.lstatSync(target, { throwIfNoEntry: false });
  if (!stat) return 'absent';
  if (stat.isDirectory() && keepDirectory) return 'kept';
  fs.rmSync(target, { recursive: true, force: true });
  return 'removed';
}

/** Writes a regular file's data; O_EXCL|O_NOFOLLOW so nothing planted at the path is written through. */
export async function writeFileEntry(target: string, data: AsyncIterable<unknown>): Promise<void> {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  const fd = fs.openSync(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    for await (const chunk of data) fs.writeSync(fd, chunk as Buffer);
  } finally {
    fs.closeSync(fd);
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
 * Ownership and xattrs, in that order: chown clears file capabilities. Overlay's own xattrs are
 * never restored (they would let a layer redirect or hide files once the snapshot is an overlay
 * lower dir). Returns how many xattrs could not be set (see writeXattr).
 */
export function applyOwnerAndXattrs(target: string, meta: EntryMeta, asRoot: boolean): number {
  if (asRoot) fs.lchownSync(target, meta.uid, meta.gid);
  let skipped = 0;
  for (const [name, value] of meta.xattrs) {
    if (!isOverlayXattr(name) && !writeXattr(target, name, value)) skipped++;
  }
  return skipped;
}

/** Ownership, xattrs, then mode (chown clears setuid bits) and times. */
export function applyMeta(
  target: string,
  meta: EntryMeta,
  kind: 'file' | 'symlink',
  asRoot: boolean,
): number {
  const skipped = applyOwnerAndXattrs(target, meta, asRoot);
  if (kind === 'file') fs.chmodSync(target, meta.mode & 0o7777);
  fs.lutimesSync(target, meta.mtime, meta.mtime);
  return skipped;
}

export function applyDirMeta(dirs: readonly DirMeta[]): void {
  const deepestFirst = [...dirs].sort((a, b) => b.path.length - a.path.length);
  for (const dir of deepestFirst) {
    fs.chmodSync(dir.path, dir.mode & 0o7777);
    fs.utimesSync(dir.path, dir.mtime, dir.mtime);
  }
}
