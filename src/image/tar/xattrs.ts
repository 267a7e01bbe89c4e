import { getAttributeSync, listAttributesSync, setAttributeSync } from '@napi-rs/xattr';

/**
 * Extended attributes through @napi-rs/xattr: a maintained N-API addon shipped prebuilt inside its
 * npm package (no node-gyp, no Debian package on CI) that calls l*xattr, so a symlink's own
 * attributes are read and never its target's. Per-file syscalls keep a layer write to one process
 * instead of spawning `getfattr -R` and parsing its escaped output.
 */

/** xattrs that describe overlayfs's own bookkeeping in an upper dir; never part of a layer. */
export function isOverlayXattr(name: string): boolean {
  return name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.');
}

function unsupported(error: unknown): boolean {
  const message = String((error as Error).message ?? error);
  return /not supported|Operation not permitted|No data available/i.test(message);
}

/** All xattrs of a path (not following a final symlink), sorted by name; empty where unsupported. */
export function readXattrs(file: string): Map<string, Buffer> {
  let names: string[];
  try {
    names = listAttributesSync(file);
  } catch (error) {
    if (unsupported(error)) return new Map();
    throw error;
  }
  const out = new Map<string, Buffer>();
  for (const name of names.sort()) {
    const value = getAttributeSync(file, name);
    if (value) out.set(name, value);
  }
  return out;
}

export function readXattr(file: string, name: string): Buffer | undefined {
  try {
    return getAttributeSync(file, name) ?? undefined;
  } catch (error) {
    if (unsupported(error)) return undefined;
    throw error;
  }
}

/**
 * Sets one xattr; returns false when this process may not (e.g. `trusted.*` or `security.*` when
 * not root, or `user.*` on a symlink), which extraction treats as "skip", as tar does.
 */
export function writeXattr(file: string, name: string, value: Uint8Array): boolean {
  try {
    setAttributeSync(file, name, value);
    return true;
  } catch (error) {
    if (unsupported(error)) return false;
    throw error;
  }
}
