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

/**
 * Sets one xattr; returns false when it cannot be set here (`trusted.*`/`security.*` when not
 * root, `user.*` on a symlink, a value the kernel rejects, a filesystem without xattrs). Extraction
 * counts those and goes on, as tar does, rather than failing a whole layer.
 */
export function writeXattr(file: string, name: string, value: Uint8Array): boolean {
  try {
    setAttributeSync(file, name, value);
    return true;
  } catch {
    return false;
  }
}
