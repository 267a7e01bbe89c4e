import { type BigIntStats, lstatSync } from 'node:fs';
import { lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { getAttribute, listAttributes } from '@napi-rs/xattr';
import PQueue from 'p-queue';
import xxhash, { type XXHashAPI } from 'xxhash-wasm';
import { TsbuildError } from '../errors.ts';
import { escapeFileName } from '../image/index.ts';
import { type ContentManifest, type ContextEntry, type EntryType, manifestOf } from './content.ts';
import { parseDockerignore } from './ignore/dockerignore.ts';
import { createPatternMatcher } from './ignore/matcher.ts';
import { cacheLayout } from './layout.ts';
import { normaliseMode } from './mode.ts';
import { resolveSource, type SourceRoot } from './select.ts';
import { openStatCache, type StatCache, type StatValue } from './stat-cache.ts';

/** What one COPY/ADD reads from the context. */
export interface ContextSelection {
  /** Sources as written (after variable expansion), relative to the context; wildcards allowed. */
  readonly sources: readonly string[];
  /** The lines of the build's `.dockerignore` (or `<Dockerfile>.dockerignore`). */
  readonly ignore?: readonly string[];
  /** `--exclude` patterns, matched against the path below each source and the context path. */
  readonly excludes?: readonly string[];
  readonly parents?: boolean;
  /** `--chown` after name resolution; files are owned by 0:0 otherwise, whatever the host says. */
  readonly chown?: { readonly uid: number; readonly gid: number };
  /** `--chmod` as a function of the (normalised) mode, so symbolic modes work too. */
  readonly chmod?: (mode: number, type: EntryType) => number;
}

export interface ContextChecksum extends ContentManifest {
  /** Paths whose hash came from the stat cache, and files actually read. */
  readonly stats: { readonly statHits: number; readonly filesRead: number };
}

export interface ChecksumOptions {
  /**
   * A name for the directory's current contents, from a caller that alone writes the directory and
   * changes the name whenever it does (the daemon's context mirrors). A selection already summed
   * under the same name is answered from memory without looking at the files again.
   */
  readonly generation?: string;
}

export interface ContextHasher {
  checksum(
    contextDir: string,
    selection: ContextSelection,
    options?: ChecksumOptions,
  ): Promise<ContextChecksum>;
}

export interface ContextHasherOptions {
  /** Store root; the stat cache lives in `<root>/cache/stat/`. Omit to hash without a stat cache. */
  readonly root?: string;
  /** Files read at once. */
  readonly readConcurrency?: number;
  /** How old a file's timestamps must be before the stat cache trusts its hash (default 2000). */
  readonly racyWindowMs?: number;
}

/** Never part of a checksum: a host labelling detail, not something the user put in the file. */
const HOST_XATTRS = new Set(['security.selinux']);
const WHOLE_FILE_LIMIT = 4 * 1024 * 1024;
/** Context directories whose walks are remembered by generation (see ChecksumOptions). */
const REMEMBERED_DIRS = 16;

const hasherApi: Promise<XXHashAPI> = xxhash();

export function createContextHasher(options: ContextHasherOptions = {}): ContextHasher {
  const reads = new PQueue({ concurrency: options.readConcurrency ?? 16 });
  const statCaches = new Map<string, Promise<StatCache>>();
  const statDir = options.root === undefined ? undefined : cacheLayout(options.root).stat;

  const statCacheFor = (contextDir: string): Promise<StatCache> | undefined => {
    if (statDir === undefined) return undefined;
    let cache = statCaches.get(contextDir);
    if (cache === undefined) {
      cache = openStatCache(statDir, contextDir, options.racyWindowMs);
      statCaches.set(contextDir, cache);
    }
    return cache;
  };

  // Per directory: the generation the remembered walks belong to, and the walks by selection.
  const remembered = new Map<string, { generation: string; walks: Map<string, readonly ContextEntry[]> }>();

  async function checksum(
    contextDirInput: string,
    selection: ContextSelection,
    options: ChecksumOptions = {},
  ): Promise<ContextChecksum> {
    const contextDir = await realpath(contextDirInput);
    const { generation } = options;
    if (generation === undefined) return finish(await walkSelection(contextDir, selection), selection);
    let memo = remembered.get(contextDir);
    if (memo?.generation !== generation) {
      memo = { generation, walks: new Map() };
      remembered.delete(contextDir);
      remembered.set(contextDir, memo);
      // Oldest first in a Map: keep the directories used last.
      for (const dir of remembered.keys()) if (remembered.size > REMEMBERED_DIRS) remembered.delete(dir);
    }
    const what = JSON.stringify([selection.sources, selection.ignore, selection.excludes, selection.parents]);
    const known = memo.walks.get(what);
    // Nothing was stat'ed or read for this answer.
    if (known !== undefined)
      return finish({ entries: known, counters: { statHits: 0, filesRead: 0 } }, selection);
    const walked = await walkSelection(contextDir, selection);
    memo.walks.set(what, walked.entries);
    return finish(walked, selection);
  }

  /** `--chmod` and `--chown` applied to a walk's entries, which carry the context's own modes. */
  function finish(
    walked: { entries: readonly ContextEntry[]; counters: ContextChecksum['stats'] },
    selection: ContextSelection,
  ): ContextChecksum {
    const { chmod, chown } = selection;
    const entries =
      chmod === undefined && chown === undefined
        ? walked.entries
        : walked.entries.map((e) => ({
            ...e,
            mode: chmod?.(e.mode, e.type) ?? e.mode,
            uid: chown?.uid ?? 0,
            gid: chown?.gid ?? 0,
          }));
    return { ...manifestOf(entries), stats: walked.counters };
  }

  async function walkSelection(
    contextDir: string,
    selection: ContextSelection,
  ): Promise<{ entries: ContextEntry[]; counters: { statHits: number; filesRead: number } }> {
    const api = await hasherApi;
    const statCache = await statCacheFor(contextDir);
    const ignored = createPatternMatcher(parseDockerignore((selection.ignore ?? []).join('\n')));
    const excluded = createPatternMatcher(selection.excludes ?? []);
    const counters = { statHits: 0, filesRead: 0 };

    const describe = async (rel: string, st: BigIntStats): Promise<StatValue> => {
      const cached = statCache?.lookup(rel, st);
      if (cached !== undefined) {
        counters.statHits++;
        return cached;
      }
      // Wall-clock, like the file timestamps it is compared with.
      const startedNs = BigInt(Date.now()) * 1_000_000n;
      const abs = path.join(contextDir, rel);
      const value: StatValue = {
        hash: st.isFile() ? await reads.add(() => hashFile(api, abs, st.size, counters)) : '',
        ...(st.isSymbolicLink() && { target: await readlink(abs) }),
        ...(await readXattrs(abs, st)),
      };
      statCache?.store(rel, st, value, startedNs);
      return value;
    };

    const entryOf = async (rel: string, dest: string, st: BigIntStats): Promise<ContextEntry> => {
      const type: EntryType = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
      const value = await describe(rel, st);
      const mode = normaliseMode(Number(st.mode) & 0o7777);
      return {
        path: rel,
        dest,
        type,
        mode,
        uid: 0,
        gid: 0,
        size: type === 'file' ? Number(st.size) : 0,
        ...value,
      };
    };

    /** A directory's entries below it, in name order; ignored/excluded paths left out. */
    const walk = async (root: SourceRoot, rel: string, dest: string): Promise<ContextEntry[]> => {
      const listed = await readdir(path.join(contextDir, rel), { encoding: 'buffer' });
      const names = listed
        .map((raw) => ({ raw, name: raw.toString('utf8') }))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      statCache?.listed(rel);
      const children = await Promise.all(
        names.map(async ({ raw, name }): Promise<ContextEntry[]> => {
          const childRel = rel === '.' ? name : `${rel}/${name}`;
          const childDest = dest === '.' ? name : `${dest}/${name}`;
          const below = childRel.slice(root.resolved === '.' ? 0 : root.resolved.length + 1);
          if (excluded.matches(below) || excluded.matches(childRel)) return [];
          const isIgnored = ignored.matches(childRel);
          if (isIgnored && !ignored.hasExclusions) return [];
          // Paths are strings from here on: a name that is not UTF-8 would be read as another name.
          if (!Buffer.from(name).equals(raw)) {
            if (isIgnored) return [];
            const shown = `${rel === '.' ? '' : `${rel}/`}${escapeFileName(raw)}`;
            throw new TsbuildError(
              'CONTEXT',
              `cannot copy "${shown}" from the context: its name is not valid UTF-8`,
              {
                hint: 'rename the file, or exclude it in .dockerignore',
              },
            );
          }
          // Synchronous: one lstat per context path, and a promise per call costs several times the syscall.
          const st = lstatSync(path.join(contextDir, childRel), { bigint: true });
          // Sockets, FIFOs and devices cannot be copied into a layer (and reading a FIFO blocks).
          if (!isCopyable(st)) return [];
          if (!st.isDirectory()) return isIgnored ? [] : [await entryOf(childRel, childDest, st)];
          const inner = await walk(root, childRel, childDest);
          // An ignored directory still appears when a `!` rule brings back something inside it.
          if (isIgnored && inner.length === 0) return [];
          return [await entryOf(childRel, childDest, st), ...inner];
        }),
      );
      return children.flat();
    };

    const entries: ContextEntry[] = [];
    for (const source of selection.sources) {
      const roots = await resolveSource({ contextDir, source, parents: selection.parents ?? false, ignored });
      for (const root of roots) {
        if (root.path !== '.' && (excluded.matches(root.path) || excluded.matches(root.dest))) continue;
        const st = await lstat(path.join(contextDir, root.resolved), { bigint: true });
        if (!isCopyable(st)) {
          throw new TsbuildError('CONTEXT', `COPY source "${root.path}" is a socket, FIFO or device`, {
            hint: 'only files, directories and symlinks can be copied; exclude it or copy another path',
          });
        }
        entries.push(await entryOf(root.resolved, root.dest, st));
        if (st.isDirectory()) entries.push(...(await walk(root, root.resolved, root.dest)));
      }
    }
    await statCache?.save();
    return { entries, counters };
  }

  return { checksum } satisfies ContextHasher;
}

async function hashFile(
  api: XXHashAPI,
  file: string,
  size: bigint,
  counters: { filesRead: number },
): Promise<string> {
  counters.filesRead++;
  const handle = await open(file, 'r');
  try {
    if (size <= WHOLE_FILE_LIMIT) return hex(api.h64Raw(await handle.readFile()));
    const state = api.create64();
    for await (const chunk of handle.createReadStream({ highWaterMark: 1024 * 1024 }))
      state.update(chunk as Buffer);
    return hex(state.digest());
  } finally {
    await handle.close();
  }
}

function isCopyable(st: BigIntStats): boolean {
  return st.isFile() || st.isDirectory() || st.isSymbolicLink();
}

function hex(value: bigint): string {
  return value.toString(16).padStart(16, '0');
}

async function readXattrs(file: string, st: BigIntStats): Promise<{ xattrs?: Record<string, string> }> {
  // Symlinks cannot carry user xattrs on Linux; skip the syscalls.
  if (st.isSymbolicLink()) return {};
  let names: string[];
  try {
    names = await listAttributes(file);
  } catch {
    return {};
  }
  const kept = names.filter((name) => !HOST_XATTRS.has(name)).sort();
  if (kept.length === 0) return {};
  const xattrs: Record<string, string> = {};
  for (const name of kept) {
    const value = await getAttribute(file, name).catch(() => null);
    if (value !== null) xattrs[name] = value.toString('base64');
  }
  return { xattrs };
}
