/** Copies an entry's ownership, mode, xattrs and times, as a copy-up would. */
import { chmod, lchown, lutimes, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { getAttribute, listAttributes, setAttribute } from '@napi-rs/xattr';

const chmodAsync = promisify(chmod);
const lchownAsync = promisify(lchown);
const lutimesAsync = promisify(lutimes);

/** Overlay's own bookkeeping xattrs never travel with a copy. */
function isOverlayXattr(name: string): boolean {
  return name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.');
}

export async function copyXattrs(from: string, to: string): Promise<void> {
  let names: string[];
  try {
    names = await listAttributes(from);
  } catch {
    return;
  }
  for (const name of names.filter((entry) => !isOverlayXattr(entry))) {
    const value = await getAttribute(from, name);
    if (value !== null) await setAttribute(to, name, value);
  }
}

/** For directories: owner, mode and xattrs now; times separately, after their content is written. */
export async function copyDirMetadata(from: string, stats: Stats, to: string): Promise<void> {
  await lchownAsync(to, stats.uid, stats.gid);
  await chmodAsync(to, stats.mode & 0o7777);
  await copyXattrs(from, to);
}

export async function copyTimes(stats: Stats, to: string): Promise<void> {
  await lutimesAsync(to, stats.atime, stats.mtime);
}
