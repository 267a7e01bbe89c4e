/**
 * Writes the entries a COPY selected into the step's upper dir, exactly as
 * described by their checksum entries (mode after the umask rule and
 * --chmod, owner after --chown), keeping the source's mtime as Docker does.
 * Nothing is ever written through a symlink: the destination was resolved
 * inside the rootfs, and links this copy creates are never traversed.
 * Sources hardlinked to each other are hardlinked in the layer too.
 */
import { constants } from 'node:fs';
import {
  chmod,
  copyFile,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { posix } from 'node:path';
import { setAttribute } from '@napi-rs/xattr';
import PQueue from 'p-queue';
import type { ContextEntry } from '../cache/index.ts';
import { TsbuildError } from '../errors.ts';
import { lookupInLayers } from '../executor/index.ts';
import { ensureDir, type Owner } from './upper.ts';

const FILE_CONCURRENCY = 16;

export interface CopyTarget {
  readonly upperDir: string;
  readonly lowerDirs: readonly string[];
  /** Absolute destination as planned: a trailing `/` means "into this directory". */
  readonly dest: string;
  /** Owner of parent directories the copy has to create. */
  readonly owner: Owner;
}

/** Where an entry lands in the rootfs. */
export function entryTarget(
  destDir: string,
  destFile: string | undefined,
  entry: Pick<ContextEntry, 'dest'>,
): string {
  if (destFile !== undefined) return destFile;
  return entry.dest === '.' ? destDir : posix.join(destDir, entry.dest);
}

async function kindInUpper(path: string): Promise<'dir' | 'other' | 'none'> {
  try {
    return (await lstat(path)).isDirectory() ? 'dir' : 'other';
  } catch {
    return 'none';
  }
}

/**
 * Copies `entries` read from `readPath(entry)` into the upper dir. A single
 * file copied to a destination without a trailing slash becomes that file,
 * unless the destination is an existing directory.
 */
export async function writeEntries(
  target: CopyTarget,
  entries: readonly ContextEntry[],
  readPath: (entry: ContextEntry) => string,
  mtimeOf: (entry: ContextEntry) => Promise<Date>,
): Promise<number> {
  const roots = entries.filter((e) => !e.dest.includes('/'));
  const singleFile = roots.length === 1 && roots[0]!.type !== 'dir' && entries.length === 1;
  let destDir: string;
  let destFile: string | undefined;
  if (singleFile && !target.dest.endsWith('/')) {
    // `COPY a.txt /x`: /x is the file, unless /x is already a directory.
    const parent = await ensureDir(
      target.upperDir,
      target.lowerDirs,
      posix.dirname(target.dest),
      target.owner,
    );
    const asDir = await ensureDirIfExisting(target, target.dest);
    if (asDir !== undefined) destDir = asDir;
    else {
      destDir = parent;
      destFile = posix.join(parent, posix.basename(target.dest));
    }
  } else {
    destDir = await ensureDir(target.upperDir, target.lowerDirs, target.dest, target.owner);
  }

  const links: string[] = [];
  // Hardlinked sources stay hardlinked within one COPY: source inode → first copy's host path.
  const linked = new Map<string, Promise<string>>();
  // Directories known to exist in the upper dir, and those this copy made (so they start empty):
  // together they spare two lstat calls per file.
  const knownDirs = new Set<string>();
  const madeDirs = new Set<string>();
  const repeated = hasRepeatedTargets(entries, destDir, destFile);
  // Regular files are copied once every directory and symlink exists, several at a time: a copy is
  // bound by syscall round trips, and directories made in between would queue behind the copies.
  // When two entries share a target everything runs in order, as the later one must win.
  const files: { readonly entry: ContextEntry; readonly host: string }[] = [];
  let bytes = 0;
  const copyOne = async (entry: ContextEntry, host: string): Promise<number> => {
    const from = readPath(entry);
    const st = await lstat(from);
    const inode = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? linked.get(inode) : undefined;
    let copied = 0;
    if (first !== undefined) await link(await first, host);
    else {
      const done = copyFile(from, host, constants.COPYFILE_FICLONE).then(() => host);
      if (st.nlink > 1) linked.set(inode, done);
      await done;
      copied = entry.size;
    }
    await applyMeta(host, entry, await mtimeOf(entry));
    return copied;
  };
  for (const entry of entries) {
    let rootfsPath = entryTarget(destDir, destFile, entry);
    if (links.some((l) => rootfsPath.startsWith(`${l}/`))) {
      throw new TsbuildError('CONTEXT', `COPY would write ${rootfsPath} through a symlink it created`, {
        hint: 'two sources put a link and a directory at the same destination path',
      });
    }
    // Parents no entry names (--parents paths): made like the destination, resolved in the rootfs.
    const parentDir = posix.dirname(rootfsPath);
    if (!knownDirs.has(parentDir)) {
      if ((await kindInUpper(posix.join(target.upperDir, parentDir))) !== 'dir') {
        const parent = await ensureDir(target.upperDir, target.lowerDirs, parentDir, target.owner);
        rootfsPath = posix.join(parent, posix.basename(rootfsPath));
      } else knownDirs.add(parentDir);
    }
    const host = posix.join(target.upperDir, rootfsPath);
    const fresh = madeDirs.has(parentDir) && !repeated;
    if (entry.type === 'dir') {
      if (rootfsPath === destDir) continue;
      const existing = fresh ? 'none' : await kindInUpper(host);
      if (existing === 'other') await rm(host, { force: true });
      if (existing !== 'dir') {
        await mkdir(host);
        madeDirs.add(rootfsPath);
        await applyMeta(host, entry, await mtimeOf(entry));
      }
      knownDirs.add(rootfsPath);
      continue;
    }
    if (!fresh && (await kindInUpper(host)) !== 'none') await rm(host, { recursive: true, force: true });
    if (entry.type === 'symlink') {
      await symlink(entry.target ?? '', host);
      links.push(rootfsPath);
      await applyMeta(host, entry, await mtimeOf(entry));
    } else if (repeated) bytes += await copyOne(entry, host);
    else files.push({ entry, host });
  }
  const copies = new PQueue({ concurrency: FILE_CONCURRENCY });
  // Every copy settles before this returns or throws: the caller may discard the upper dir on error.
  const settled = await Promise.allSettled(files.map((f) => copies.add(() => copyOne(f.entry, f.host))));
  const rejected = settled.find((r) => r.status === 'rejected');
  if (rejected !== undefined) throw rejected.reason;
  return settled.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value : 0), bytes);
}

/** Two entries landing on one path must be written in order (the later one wins). */
function hasRepeatedTargets(
  entries: readonly ContextEntry[],
  destDir: string,
  destFile: string | undefined,
): boolean {
  const seen = new Set<string>();
  for (const entry of entries) {
    const path = entryTarget(destDir, destFile, entry);
    if (seen.has(path)) return true;
    seen.add(path);
  }
  return false;
}

async function ensureDirIfExisting(target: CopyTarget, path: string): Promise<string | undefined> {
  const found = await lookupInLayers([target.upperDir, ...target.lowerDirs], path);
  if (found.kind !== 'found' || found.type !== 'directory') return undefined;
  return ensureDir(target.upperDir, target.lowerDirs, path, target.owner);
}

async function applyMeta(host: string, entry: ContextEntry, mtime: Date): Promise<void> {
  await lchown(host, entry.uid, entry.gid);
  if (entry.type !== 'symlink') {
    await chmod(host, entry.mode);
    for (const [name, value] of Object.entries(entry.xattrs ?? {})) {
      await setAttribute(host, name, Buffer.from(value, 'base64'));
    }
  }
  await lutimes(host, mtime, mtime);
}

/** Heredoc sources (`COPY <<EOF /dest`): new files with the given content. */
export async function writeInline(
  target: CopyTarget,
  files: readonly { readonly name: string; readonly content: string }[],
  owner: Owner,
  mode: number,
): Promise<void> {
  const single = files.length === 1 && !target.dest.endsWith('/');
  const dir = await ensureDir(
    target.upperDir,
    target.lowerDirs,
    single ? posix.dirname(target.dest) : target.dest,
    target.owner,
  );
  for (const f of files) {
    const rootfsPath = single ? posix.join(dir, posix.basename(target.dest)) : posix.join(dir, f.name);
    const host = posix.join(target.upperDir, rootfsPath);
    await writeFile(host, f.content, { mode });
    await chmod(host, mode);
    await lchown(host, owner.uid, owner.gid);
  }
}
