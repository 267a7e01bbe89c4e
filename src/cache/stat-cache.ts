import type { BigIntStats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from './atomic.ts';
import { sha256Hex } from './key.ts';

/** What hashing one path found; reused while its stat is unchanged. */
export interface StatValue {
  readonly hash: string;
  readonly target?: string;
  readonly xattrs?: Readonly<Record<string, string>>;
}

/**
 * The persistent stat cache of one context directory: (dev, inode, size, mtime, ctime) → what
 * hashing found, so an unchanged file costs one lstat and no read. ctime covers chmod, chown,
 * xattr changes and a reset mtime. An entry is only stored when its timestamps are 2 s older than
 * the moment its read began; a file written in the same timestamp tick as (or after) the read
 * could otherwise keep a stale hash forever (git's "racy clean" problem). Such files are simply
 * read again next time.
 */
export interface StatCache {
  lookup(relPath: string, st: BigIntStats): StatValue | undefined;
  store(relPath: string, st: BigIntStats, value: StatValue, readStartedNs: bigint): void;
  /** The walk read this directory's whole listing. */
  listed(dirRelPath: string): void;
  /** Persist atomically if anything changed. */
  save(): Promise<void>;
}

type Row = readonly [
  stamp: string,
  hash: string,
  target?: string | null,
  xattrs?: Record<string, string> | null,
];

interface StatFile {
  readonly version: 1;
  readonly context: string;
  readonly entries: Record<string, Row>;
}

/** Default age a file's timestamps must have before its hash is trusted later. */
export const RACY_WINDOW_MS = 2_000;

function stampOf(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

export async function openStatCache(
  dir: string,
  contextDir: string,
  racyWindowMs = RACY_WINDOW_MS,
): Promise<StatCache> {
  const racyNs = BigInt(racyWindowMs) * 1_000_000n;
  const file = path.join(dir, `${sha256Hex(contextDir).slice(0, 32)}.json`);
  let entries: Record<string, Row> = {};
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as StatFile;
    if (parsed.version === 1 && parsed.context === contextDir) entries = parsed.entries;
  } catch (error) {
    // A missing or damaged stat cache only costs reads; anything else is a real failure.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
  }
  let dirty = false;
  // Directories listed and paths looked at by this process: an entry below a listed directory that
  // was never looked at belongs to a deleted (or now ignored) path and is dropped at save.
  const seen = new Set<string>();
  const listed = new Set<string>();
  let saving: Promise<void> = Promise.resolve();

  return {
    lookup(relPath, st) {
      seen.add(relPath);
      const row = entries[relPath];
      if (row === undefined || row[0] !== stampOf(st)) return undefined;
      return {
        hash: row[1],
        ...(row[2] != null && { target: row[2] }),
        ...(row[3] != null && { xattrs: row[3] }),
      };
    },
    store(relPath, st, value, readStartedNs) {
      // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.max rejects
      const newest = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
      if (newest + racyNs > readStartedNs) return;
      entries[relPath] = [stampOf(st), value.hash, value.target ?? null, value.xattrs ?? null];
      dirty = true;
    },
    listed(dirRelPath) {
      listed.add(dirRelPath);
    },
    save() {
      // Entries of paths that vanished from a listed directory go, even when nothing new was stored.
      for (const name of Object.keys(entries)) {
        const slash = name.lastIndexOf('/');
        if (!seen.has(name) && listed.has(slash < 0 ? '.' : name.slice(0, slash))) {
          delete entries[name];
          dirty = true;
        }
      }
      if (!dirty) return saving;
      dirty = false;
      const snapshot: StatFile = { version: 1, context: contextDir, entries };
      saving = saving.then(() => writeJsonAtomic(file, snapshot, path.join(path.dirname(dir), 'tmp')));
      return saving;
    },
  };
}
