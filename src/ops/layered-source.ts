/**
 * COPY --from a stage or an image: selects entries from a stack of snapshot
 * layers as the merged filesystem shows them (whiteouts hide, opaque
 * directories end the view downwards), without mounting anything.
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import type { ContextEntry } from '../cache/index.ts';
import { TsbuildError } from '../errors.ts';
import { isOpaqueDir, isWhiteout, lookupInLayers } from '../executor/index.ts';
import type { ChmodFn } from './chmod.ts';

export interface LayeredSelection {
  readonly entries: readonly ContextEntry[];
  hostPath(entry: ContextEntry): string;
}

interface Options {
  readonly parents: boolean;
  readonly excludes: readonly string[];
  readonly chmod?: ChmodFn;
}

/** Names in a merged directory, top layer first; each with the host path of its top copy. */
async function mergedEntries(layers: readonly string[], dir: string): Promise<Map<string, string>> {
  const found = await lookupInLayers(layers, dir);
  const out = new Map<string, string>();
  const hidden = new Set<string>();
  if (found.kind !== 'found' || found.type !== 'directory') return out;
  for (const layer of found.layers) {
    const hostDir = posix.join(layer, found.path);
    for (const name of await readdir(hostDir).catch(() => [] as string[])) {
      if (out.has(name) || hidden.has(name)) continue;
      const host = posix.join(hostDir, name);
      if (isWhiteout(await lstat(host))) hidden.add(name);
      else out.set(name, host);
    }
    if (await isOpaqueDir(hostDir)) break;
  }
  return out;
}

function matchesAny(patterns: readonly string[], path: string): boolean {
  return patterns.some((p) => posix.matchesGlob(path, p));
}

async function globInLayers(layers: readonly string[], pattern: string): Promise<string[]> {
  const parts = pattern.split('/').filter(Boolean);
  let paths = ['/'];
  for (const part of parts) {
    const next: string[] = [];
    for (const base of paths) {
      if (!/[*?[]/.test(part)) {
        next.push(posix.join(base, part));
        continue;
      }
      for (const name of (await mergedEntries(layers, base)).keys()) {
        if (posix.matchesGlob(name, part)) next.push(posix.join(base, name));
      }
    }
    paths = next.sort();
  }
  return paths;
}

export async function selectFromLayers(
  layers: readonly string[],
  sources: readonly string[],
  options: Options,
): Promise<LayeredSelection> {
  const hosts = new Map<string, string>();
  const entries: ContextEntry[] = [];
  const add = async (host: string, path: string, dest: string) => {
    const st = await lstat(host);
    const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
    const mode = st.mode & 0o7777;
    const entry: ContextEntry = {
      path,
      dest,
      type,
      mode: options.chmod?.(mode, type) ?? mode,
      uid: st.uid,
      gid: st.gid,
      size: type === 'file' ? st.size : 0,
      hash: '',
      ...(type === 'symlink' && { target: await readlink(host) }),
    };
    hosts.set(path, host);
    entries.push(entry);
    return type;
  };
  const walk = async (dir: string, dest: string): Promise<void> => {
    const children = [...(await mergedEntries(layers, dir))].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name, host] of children) {
      const path = posix.join(dir, name);
      if (matchesAny(options.excludes, path.slice(1))) continue;
      const childDest = dest === '.' ? name : `${dest}/${name}`;
      if ((await add(host, path, childDest)) === 'dir') await walk(path, childDest);
    }
  };
  for (const source of sources) {
    const matches = /[*?[]/.test(source) ? await globInLayers(layers, source) : [posix.resolve('/', source)];
    if (matches.length === 0) {
      throw new TsbuildError('CONTEXT', `COPY --from: no source files were specified by "${source}"`);
    }
    for (const match of matches) {
      const found = await lookupInLayers(layers, match);
      if (found.kind !== 'found') {
        throw new TsbuildError('CONTEXT', `COPY --from: "${source}" not found in the source stage or image`, {
          hint: 'check the path; sources of COPY --from are absolute paths in that filesystem',
        });
      }
      if (matchesAny(options.excludes, found.path.slice(1))) continue;
      const isDir = found.type === 'directory';
      const dest = options.parents ? found.path.slice(1) : isDir ? '.' : posix.basename(found.path);
      await add(found.hostPath, found.path, dest);
      if (isDir) await walk(found.path, dest);
    }
  }
  return {
    entries,
    hostPath: (entry) => {
      const host = hosts.get(entry.path);
      if (host === undefined) throw new TsbuildError('INTERNAL', `no source for ${entry.path}`);
      return host;
    },
  };
}
