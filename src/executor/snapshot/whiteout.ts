/** Overlayfs upper-dir conventions: whiteouts are 0/0 char devices, opaque dirs carry an xattr. */
import type { Stats } from 'node:fs';
import { getAttribute } from '@napi-rs/xattr';

export const OPAQUE_XATTR = 'trusted.overlay.opaque';

export function isWhiteout(stats: Stats): boolean {
  return stats.isCharacterDevice() && stats.rdev === 0;
}

export async function isOpaqueDir(path: string): Promise<boolean> {
  try {
    const value = await getAttribute(path, OPAQUE_XATTR);
    return value !== null && value.toString() === 'y';
  } catch {
    // Filesystems without xattr support cannot hold opaque dirs.
    return false;
  }
}
