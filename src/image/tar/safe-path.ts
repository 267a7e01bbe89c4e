import fs from 'node:fs';
import path from 'node:path';
import { TsbuildError } from '../../errors.ts';

/** Symlinks followed while resolving one path, as Linux's MAXSYMLINKS. */
const MAX_LINKS = 40;

export function unsafe(
  message: string,
  hint = 'the layer is malformed or hostile; it was not applied',
): TsbuildError {
  return new TsbuildError('LAYER_UNSAFE', message, { hint });
}

/**
 * The path components of a tar entry name, relative to the layer root. Leading `/` and `./` are
 * dropped (as GNU tar does); `..` components and NUL bytes are refused outright rather than
 * clamped, since no well-formed layer has them.
 */
export function entryParts(name: string, what = 'entry'): string[] {
  if (name.includes('\0')) throw unsafe(`layer ${what} ${JSON.stringify(name)} contains a NUL byte`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe(`layer ${what} "${name}" climbs out with ".."`);
  return parts;
}

/**
 * Resolves directory components inside `root` the way a chroot would: symlinks are followed, but
 * absolute targets restart at `root` and `..` stops at `root`, so the result is always inside
 * `root` whatever earlier entries or layers planted. Missing directories are created (mode 0755,
 * as Docker does for implied parents) when `create` is set; otherwise a missing one gives
 * undefined. Synchronous: extraction is a strict sequence of tiny syscalls, and a threadpool
 * round trip for each would cost ten times the syscall.
 */
export function resolveDirInRoot(
  root: string,
  parts: readonly string[],
  create: boolean,
): string | undefined {
  const resolved: string[] = [];
  const queue = [...parts];
  let links = 0;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const abs = path.join(root, ...resolved, part);
    const stat = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (!stat) {
      if (!create) return undefined;
      fs.mkdirSync(abs, { mode: 0o755 });
      resolved.push(part);
      continue;
    }
    if (stat.isSymbolicLink()) {
      if (++links > MAX_LINKS)
        throw unsafe(`too many symlinks while resolving "${parts.join('/')}" in the layer`);
      const target = fs.readlinkSync(abs);
      if (target.startsWith('/')) resolved.length = 0;
      queue.unshift(...target.split('/'));
      continue;
    }
    if (!stat.isDirectory()) {
      throw unsafe(
        `"${parts.join('/')}" in the layer needs "${[...resolved, part].join('/')}" to be a directory`,
      );
    }
    resolved.push(part);
  }
  return path.join(root, ...resolved);
}

/**
 * Parent directories already resolved in this layer, keyed by their entry path. Any removal in the
 * tree may turn a cached directory into something else, so removals clear the whole cache; entries
 * that only add things cannot invalidate it (a path becomes a symlink only after its directory
 * was removed).
 */
export interface ParentCache {
  resolve(root: string, parts: readonly string[]): string;
  clear(): void;
}

export function createParentCache(): ParentCache {
  const cache = new Map<string, string>();
  return {
    resolve(root, parts) {
      const key = parts.join('/');
      let dir = cache.get(key);
      if (dir === undefined) {
        dir = resolveDirInRoot(root, parts, true)!;
        cache.set(key, dir);
      }
      return dir;
    },
    clear: () => cache.clear(),
  };
}
