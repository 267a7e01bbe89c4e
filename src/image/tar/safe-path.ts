import { promises as fsp } from 'node:fs';
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

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT';
}

/**
 * Resolves directory components inside `root` the way a chroot would: symlinks are followed, but
 * absolute targets restart at `root` and `..` stops at `root`, so the result is always inside
 * `root` whatever earlier entries or layers planted. Missing directories are created (mode 0755,
 * as Docker does for implied parents) when `create` is set.
 */
export async function resolveDirInRoot(
  root: string,
  parts: readonly string[],
  create: boolean,
): Promise<string> {
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
    let stat: import('node:fs').Stats;
    try {
      stat = await fsp.lstat(abs);
    } catch (error) {
      if (!isMissing(error) || !create) throw error;
      await fsp.mkdir(abs, { mode: 0o755 });
      resolved.push(part);
      continue;
    }
    if (stat.isSymbolicLink()) {
      if (++links > MAX_LINKS)
        throw unsafe(`too many symlinks while resolving "${parts.join('/')}" in the layer`);
      const target = await fsp.readlink(abs);
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

/** The absolute place of an entry: its parent resolved inside root, its own name not followed. */
export async function placeInRoot(
  root: string,
  parts: readonly string[],
  create: boolean,
): Promise<{ readonly parent: string; readonly target: string }> {
  const parent = await resolveDirInRoot(root, parts.slice(0, -1), create);
  return { parent, target: path.join(parent, parts[parts.length - 1]!) };
}
