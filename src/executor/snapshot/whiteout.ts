/**
 * Overlayfs upper-dir conventions: a whiteout is a 0/0 char device, an opaque dir carries
 * `trusted.overlay.opaque=y`. Where 0/0 devices cannot be created (a store on overlayfs, used by
 * copy snapshots), overlayfs's other documented form is used: an empty file with
 * `trusted.overlay.whiteout`, its parent marked `trusted.overlay.opaque=x`.
 */
import { execFile } from 'node:child_process';
import type { Stats } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { getAttribute, setAttribute } from '@napi-rs/xattr';

const execFileAsync = promisify(execFile);

export const OPAQUE_XATTR = 'trusted.overlay.opaque';
export const WHITEOUT_XATTR = 'trusted.overlay.whiteout';

export function isWhiteout(stats: Stats): boolean {
  return stats.isCharacterDevice() && stats.rdev === 0;
}

async function hasXattr(path: string, name: string): Promise<string | undefined> {
  try {
    return (await getAttribute(path, name))?.toString();
  } catch {
    // Filesystems without xattr support hold no overlay markers.
    return undefined;
  }
}

/** Either whiteout form; `stats` from lstat of `path`. */
export async function isWhiteoutEntry(path: string, stats: Stats): Promise<boolean> {
  if (isWhiteout(stats)) return true;
  return stats.isFile() && stats.size === 0 && (await hasXattr(path, WHITEOUT_XATTR)) !== undefined;
}

export async function isOpaqueDir(path: string): Promise<boolean> {
  return (await hasXattr(path, OPAQUE_XATTR)) === 'y';
}

async function createXattrWhiteout(path: string): Promise<void> {
  await writeFile(path, '');
  await setAttribute(path, WHITEOUT_XATTR, '');
  if (!(await isOpaqueDir(dirname(path)))) await setAttribute(dirname(path), OPAQUE_XATTR, 'x');
}

/** Creates whiteouts at `paths` (their parents exist): 0/0 devices where the filesystem allows. */
export async function createWhiteouts(paths: readonly string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += 500) {
    const chunk = paths.slice(i, i + 500);
    try {
      await execFileAsync('sh', ['-c', 'for p; do mknod "$p" c 0 0 || exit 1; done', 'sh', ...chunk]);
    } catch {
      // overlayfs refuses 0/0 devices: write the remaining ones in the xattr form.
      for (const path of chunk) {
        await execFileAsync('mknod', [path, 'c', '0', '0']).catch(() => createXattrWhiteout(path));
      }
    }
  }
}
