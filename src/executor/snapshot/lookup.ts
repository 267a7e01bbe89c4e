/**
 * Resolves a path through a stack of overlay upper dirs (top first) the way the merged view would,
 * following the rootfs's own symlinks but never leaving it: absolute targets restart at the rootfs
 * root and `..` stops there, as in a chroot.
 */
import type { Stats } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { TsbuildError } from '../../errors.ts';
import type { EntryType, LookupOptions, LookupResult } from './types.ts';
import { isOpaqueDir, isWhiteoutEntry } from './whiteout.ts';

const MAX_SYMLINK_HOPS = 40;

interface Frame {
  readonly name: string;
  readonly layers: readonly string[];
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

function entryType(stats: Stats): EntryType {
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFile()) return 'file';
  return 'other';
}

function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

function framePath(stack: readonly Frame[]): string {
  return `/${stack
    .slice(1)
    .map((frame) => frame.name)
    .join('/')}`;
}

/**
 * The layers that make up directory `rel`, starting at the top-most one holding it: lower copies
 * count until a layer hides them (an opaque copy is the last, a whiteout or non-directory ends it).
 */
async function directoryLayers(candidates: readonly string[], rel: string): Promise<string[]> {
  const result: string[] = [];
  for (const layer of candidates) {
    const stats = await lstatOrUndefined(posix.join(layer, rel));
    if (stats === undefined) continue;
    if (!stats.isDirectory()) break;
    result.push(layer);
    if (await isOpaqueDir(posix.join(layer, rel))) break;
  }
  return result;
}

export async function lookupInLayers(
  layers: readonly string[],
  path: string,
  options: LookupOptions = {},
): Promise<LookupResult> {
  const followFinal = options.followFinal ?? true;
  let stack: Frame[] = [{ name: '', layers: await directoryLayers(layers, '/') }];
  let pending = components(path);
  let hops = 0;

  while (pending.length > 0) {
    const name = pending.shift()!;
    if (name === '..') {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const top = stack[stack.length - 1]!;
    const dirPath = framePath(stack);
    const rel = posix.join(dirPath, name);
    let found: { layer: string; index: number; stats: Stats } | undefined;
    for (const [index, layer] of top.layers.entries()) {
      const stats = await lstatOrUndefined(posix.join(layer, rel));
      if (stats === undefined) continue;
      if (!(await isWhiteoutEntry(posix.join(layer, rel), stats))) found = { layer, index, stats };
      break;
    }
    if (found === undefined) {
      return {
        kind: 'missing',
        path: posix.join(rel, ...pending),
        existingParent: dirPath,
        creatable: true,
      };
    }
    const isLast = pending.length === 0;
    if (found.stats.isSymbolicLink() && (!isLast || followFinal)) {
      hops += 1;
      if (hops > MAX_SYMLINK_HOPS) {
        throw new TsbuildError(
          'SNAPSHOT',
          `Too many levels of symbolic links resolving ${path} in the rootfs`,
          {
            hint: 'Check the image for a symlink loop on this path.',
          },
        );
      }
      const target = await readlink(posix.join(found.layer, rel));
      if (target.startsWith('/')) stack = [stack[0]!];
      pending = [...components(target), ...pending];
      continue;
    }
    if (found.stats.isDirectory()) {
      stack.push({ name, layers: await directoryLayers(top.layers.slice(found.index), rel) });
      continue;
    }
    if (!isLast) {
      return {
        kind: 'missing',
        path: posix.join(rel, ...pending),
        existingParent: dirPath,
        creatable: false,
      };
    }
    return {
      kind: 'found',
      path: rel,
      type: entryType(found.stats),
      hostPath: posix.join(found.layer, rel),
      layers: [],
    };
  }

  const top = stack[stack.length - 1]!;
  const resolved = framePath(stack);
  const hostLayer = top.layers[0] ?? layers[0];
  if (hostLayer === undefined) {
    throw new TsbuildError('SNAPSHOT', `Cannot look up ${path}: the layer stack is empty`);
  }
  return {
    kind: 'found',
    path: resolved,
    type: 'directory',
    hostPath: posix.join(hostLayer, resolved),
    layers: top.layers,
  };
}
