/**
 * ADD of a local tar archive: its entries are written into the step's upper dir below the
 * destination, keeping the archive's owners, modes, mtimes and xattrs (--chown overrides the
 * owner), hardlinks included. Safe by construction: names are cleaned and `..` escapes refused,
 * every parent is resolved through the rootfs's layers (never the host's filesystem), and a path
 * that a symlink would carry outside the destination is refused; nothing is written through a
 * link. Device nodes and FIFOs are skipped (the runtime provides /dev).
 */
import { createWriteStream } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, rm, symlink, utimes } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setAttribute } from '@napi-rs/xattr';
import tar, { type Header } from 'tar-stream';
import { TsbuildError } from '../errors.ts';
import { lookupInLayers } from '../executor/index.ts';
import { ensureDir, type Owner, stackOf } from './upper.ts';

export interface ArchiveTarget {
  readonly upperDir: string;
  readonly lowerDirs: readonly string[];
  /** Resolved rootfs path of the destination directory (already made in the upper dir). */
  readonly destDir: string;
  /** `--chown`: every entry gets this owner instead of the archive's. */
  readonly chown?: Owner;
  /** For messages, e.g. `ADD app.tar.gz /srv/`. */
  readonly what: string;
}

const XATTR_PREFIX = 'SCHILY.xattr.';

function unsafe(target: ArchiveTarget, name: string, why: string): TsbuildError {
  return new TsbuildError('LAYER_UNSAFE', `${target.what}: archive entry "${name}" ${why}`, {
    hint: 'fix the archive, or extract it in a RUN step if this layout is intended',
  });
}

/** The entry's path below the destination, `` for the archive root; refuses `..` escapes. */
function cleanName(target: ArchiveTarget, name: string): string {
  const cleaned = posix.normalize(`/${name}`).slice(1).replace(/\/$/, '');
  if (posix.normalize(name.replace(/^\/+/, '')).split('/')[0] === '..') {
    throw unsafe(target, name, 'points outside the destination');
  }
  return cleaned;
}

function within(dir: string, path: string): boolean {
  return dir === '/' || path === dir || path.startsWith(`${dir}/`);
}

/** The parent of `rootfsPath` made in the upper dir, resolved; refused if it leaves the destination. */
async function parentIn(
  target: ArchiveTarget,
  rootfsPath: string,
  name: string,
  owner: Owner,
): Promise<string> {
  const parent = posix.dirname(rootfsPath);
  const found = await lookupInLayers(stackOf(target.upperDir, target.lowerDirs), parent);
  if (!within(target.destDir, found.path)) {
    throw unsafe(
      target,
      name,
      `would be written outside the destination (through a symlink to ${found.path})`,
    );
  }
  return ensureDir(target.upperDir, target.lowerDirs, parent, owner);
}

async function kindInUpper(host: string): Promise<'dir' | 'other' | 'none'> {
  const st = await lstat(host).catch(() => undefined);
  return st === undefined ? 'none' : st.isDirectory() ? 'dir' : 'other';
}

async function applyMeta(host: string, header: Header, owner: Owner, isLink: boolean): Promise<void> {
  await lchown(host, owner.uid, owner.gid);
  if (isLink) return;
  await chmod(host, (header.mode ?? 0o644) & 0o7777);
  const pax = (header as { pax?: Record<string, string> }).pax ?? {};
  for (const [key, value] of Object.entries(pax)) {
    if (key.startsWith(XATTR_PREFIX)) {
      await setAttribute(host, key.slice(XATTR_PREFIX.length), Buffer.from(value, 'utf8'));
    }
  }
}

/** Extracts the tar `stream` below `target.destDir`; returns the bytes of file content written. */
export async function extractArchive(target: ArchiveTarget, stream: Readable): Promise<number> {
  const extract = tar.extract();
  const feeding = pipeline(stream, extract);
  const dirTimes: [string, Date][] = [];
  let bytes = 0;
  try {
    for await (const entry of extract) {
      const { header } = entry;
      const name = cleanName(target, header.name);
      const owner = target.chown ?? { uid: header.uid ?? 0, gid: header.gid ?? 0 };
      const mtime = header.mtime ?? new Date(0);
      if (
        name === '' ||
        !['file', 'contiguous-file', 'directory', 'symlink', 'link'].includes(header.type ?? 'file')
      ) {
        entry.resume();
        continue;
      }
      const rootfsPath = posix.join(target.destDir, name);
      const parent = await parentIn(target, rootfsPath, header.name, target.chown ?? { uid: 0, gid: 0 });
      const host = posix.join(target.upperDir, parent, posix.basename(rootfsPath));
      const existing = await kindInUpper(host);
      if (header.type === 'directory') {
        if (existing === 'other') await rm(host, { force: true });
        if (existing !== 'dir') await mkdir(host);
        await applyMeta(host, header, owner, false);
        dirTimes.push([host, mtime]);
        entry.resume();
        continue;
      }
      if (existing !== 'none') await rm(host, { recursive: true, force: true });
      if (header.type === 'symlink') {
        await symlink(header.linkname ?? '', host);
        entry.resume();
      } else if (header.type === 'link') {
        const linkName = cleanName(target, header.linkname ?? '');
        const linkPath = posix.join(target.destDir, linkName);
        const linkParent = await parentIn(target, linkPath, header.linkname ?? '', { uid: 0, gid: 0 });
        const from = posix.join(target.upperDir, linkParent, posix.basename(linkPath));
        const st = await lstat(from).catch(() => undefined);
        if (st === undefined || st.isDirectory()) {
          throw unsafe(
            target,
            header.name,
            `is a hardlink to "${header.linkname}", which the archive did not write before`,
          );
        }
        await link(from, host);
        entry.resume();
        continue;
      } else {
        await pipeline(entry, createWriteStream(host, { flags: 'wx', mode: 0o600 }));
        bytes += header.size ?? 0;
      }
      await applyMeta(host, header, owner, header.type === 'symlink');
      await lutimes(host, mtime, mtime);
    }
    await feeding;
  } catch (err) {
    extract.destroy();
    await feeding.catch(() => undefined);
    throw err;
  }
  // Directory times last: writing their children changed them.
  for (const [dir, mtime] of dirTimes.reverse()) await utimes(dir, mtime, mtime);
  return bytes;
}
