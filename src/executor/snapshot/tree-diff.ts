/**
 * Copy snapshots, after the step: what changed in a plain rootfs since it was materialised, written
 * into the snapshot's upper dir in overlay form, so callers see the same diff contract as with
 * overlayfs. A change is detected by inode and ctime, which no process can set back; an entry is
 * the same entry only with the same inode number and birth time, since a deleted entry's inode
 * number is soon reused (`rm -rf /root && mkdir /root` often gets the old number back).
 */
import { execFile } from 'node:child_process';
import type { BigIntStats, Stats } from 'node:fs';
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { setAttribute } from '@napi-rs/xattr';
import { TsbuildError } from '../../errors.ts';
import { copyDirMetadata, copyTimes } from './metadata.ts';
import { createWhiteouts, OPAQUE_XATTR } from './whiteout.ts';

const execFileAsync = promisify(execFile);

type Kind = 'directory' | 'other';

interface EntryState {
  readonly kind: Kind;
  readonly ino: bigint;
  /** 0 where the filesystem keeps no birth time: the inode number alone then. */
  readonly birthNs: bigint;
  readonly ctimeNs: bigint;
}

export interface TreeState {
  readonly entries: ReadonlyMap<string, EntryState>;
  readonly children: ReadonlyMap<string, readonly string[]>;
}

function stateOf(stats: BigIntStats): EntryState {
  return {
    kind: stats.isDirectory() ? 'directory' : 'other',
    ino: stats.ino,
    birthNs: stats.birthtimeNs,
    ctimeNs: stats.ctimeNs,
  };
}

export async function recordTree(dir: string): Promise<TreeState> {
  const entries = new Map<string, EntryState>();
  const children = new Map<string, string[]>();
  async function walk(rel: string): Promise<void> {
    const names = await readdir(join(dir, rel));
    children.set(rel, names);
    for (const name of names) {
      const path = posix.join(rel, name);
      const stats = await lstat(join(dir, path), { bigint: true });
      entries.set(path, stateOf(stats));
      if (stats.isDirectory()) await walk(path);
    }
  }
  await walk('/');
  return { entries, children };
}

interface Changes {
  /** Entries copied whole (new, replaced, or changed non-directories). */
  readonly copy: string[];
  /** New directories that replace a lower entry: they hide whatever was below. */
  readonly opaque: string[];
  /** Existing directories whose own metadata or contents changed. */
  readonly dirs: string[];
  readonly whiteouts: string[];
}

async function findChanges(
  rootfs: string,
  before: TreeState,
  exclude: ReadonlySet<string>,
): Promise<Changes> {
  const changes: Changes = { copy: [], opaque: [], dirs: [], whiteouts: [] };
  async function walk(rel: string): Promise<void> {
    const names = await readdir(join(rootfs, rel));
    const present = new Set(names);
    for (const name of before.children.get(rel) ?? []) {
      const path = posix.join(rel, name);
      if (!present.has(name) && !exclude.has(path)) changes.whiteouts.push(path);
    }
    for (const name of names) {
      const path = posix.join(rel, name);
      if (exclude.has(path)) continue;
      const now = stateOf(await lstat(join(rootfs, path), { bigint: true }));
      const then = before.entries.get(path);
      const replaced = then === undefined || then.ino !== now.ino || then.birthNs !== now.birthNs;
      if (replaced || then.kind !== now.kind) {
        changes.copy.push(path);
        // As overlayfs does: a directory made where something was below starts opaque.
        if (then !== undefined && now.kind === 'directory') changes.opaque.push(path);
      } else if (now.kind === 'directory') {
        if (now.ctimeNs !== then.ctimeNs) changes.dirs.push(path);
        await walk(path);
      } else if (now.ctimeNs !== then.ctimeNs) {
        changes.copy.push(path);
      }
    }
  }
  await walk('/');
  return changes;
}

/** Creates `rel`'s missing parents in `upper` with the rootfs's metadata (a copy-up). */
async function ensureDir(
  rootfs: string,
  upper: string,
  rel: string,
  made: Map<string, Stats>,
): Promise<void> {
  if (rel === '/' || made.has(rel)) return;
  await ensureDir(rootfs, upper, posix.dirname(rel), made);
  const source = join(rootfs, rel);
  const stats = await lstat(source);
  await mkdir(join(upper, rel)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await copyDirMetadata(source, stats, join(upper, rel));
  made.set(rel, stats);
}

async function inChunks(items: readonly string[], run: (chunk: readonly string[]) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += 500) await run(items.slice(i, i + 500));
}

/** `exclude`: rootfs paths that are never part of the diff (the runtime's mount points). */
export async function writeDiff(
  rootfs: string,
  before: TreeState,
  upper: string,
  exclude: ReadonlySet<string>,
): Promise<void> {
  const changes = await findChanges(rootfs, before, exclude);
  const made = new Map<string, Stats>();
  for (const path of [...changes.dirs, ...changes.copy, ...changes.whiteouts]) {
    await ensureDir(rootfs, upper, posix.dirname(path), made);
  }
  for (const path of changes.dirs) await ensureDir(rootfs, upper, path, made);
  try {
    // Relative paths with --parents: each entry lands at its own path under the upper dir.
    await inChunks(changes.copy, (chunk) =>
      execFileAsync(
        'cp',
        ['-a', '--parents', '--no-dereference', '-t', upper, ...chunk.map((path) => `.${path}`)],
        {
          cwd: rootfs,
        },
      ),
    );
    await createWhiteouts(changes.whiteouts.map((path) => join(upper, path)));
  } catch (error) {
    throw new TsbuildError(
      'SNAPSHOT',
      `Could not record the step's changes in ${upper}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  for (const path of changes.opaque) await setAttribute(join(upper, path), OPAQUE_XATTR, 'y');
  // Writing into the upper dirs moved their times; put the rootfs's back, deepest first.
  const dirs = [...made.entries()].sort(([a], [b]) => b.length - a.length);
  for (const [path, stats] of dirs) await copyTimes(stats, join(upper, path));
}
