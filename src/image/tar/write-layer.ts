import { createReadStream, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PassThrough, pipeline as pipeStreams, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pack } from 'tar-stream';
import { TsbuildError } from '../../errors.ts';
import { createHashingStream, type Digest } from '../digest.ts';
import { clampSeconds } from '../epoch.ts';
import { readAhead } from '../read-ahead.ts';
import { addPackEntry } from './pack-entry.ts';
import { createPack, type LayerHeader, type PaxValue } from './pax.ts';
import { type LayerItem, walkSnapshot } from './walk.ts';

export interface WriteLayerOptions {
  /** SOURCE_DATE_EPOCH: mtimes later than this are clamped to it. */
  readonly sourceDateEpoch?: number;
}

export interface LayerResult {
  /** sha256 of the uncompressed tar. */
  readonly diffId: Digest;
  /** Bytes of the uncompressed tar. */
  readonly size: number;
}

const S_IFREG = 0o100000;
const USTAR_MAX_ID = 0o7777777;
const USTAR_MAX_SIZE = 0o77777777777;

function major(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}

function minor(rdev: number): number {
  return (rdev & 0xff) | ((rdev >>> 12) & ~0xff);
}

function typeOf(stat: Stats): LayerHeader['type'] {
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isCharacterDevice()) return 'character-device';
  if (stat.isBlockDevice()) return 'block-device';
  if (stat.isFIFO()) return 'fifo';
  return 'file';
}

/**
 * The tar header of one item. Fields that vary between machines or runs (uname/gname, atime,
 * ctime) are left out so equal trees give equal bytes. Modes keep their file-type bits because
 * tar-stream replaces a zero mode with a default one.
 */
function headerOf(item: LayerItem, options: WriteLayerOptions): LayerHeader {
  const mtime = new Date(clampSeconds(item.stat.mtimeMs / 1000, options.sourceDateEpoch) * 1000);
  if (item.kind !== 'entry') {
    return { name: item.name, type: 'file', mode: S_IFREG, uid: 0, gid: 0, size: 0, mtime };
  }
  const { stat } = item;
  const pax: Record<string, PaxValue> = {};
  for (const [name, value] of item.xattrs) pax[`SCHILY.xattr.${name}`] = value;
  if (stat.uid > USTAR_MAX_ID) pax.uid = String(stat.uid);
  if (stat.gid > USTAR_MAX_ID) pax.gid = String(stat.gid);
  const header: LayerHeader = {
    name: item.name,
    type: item.hardlinkTo !== undefined ? 'link' : typeOf(stat),
    mode: stat.mode,
    uid: stat.uid,
    gid: stat.gid,
    mtime,
    size: 0,
  };
  if (item.hardlinkTo !== undefined) header.linkname = item.hardlinkTo;
  else if (item.linkTarget !== undefined) header.linkname = item.linkTarget;
  else if (stat.isFile()) header.size = stat.size;
  if (header.size !== undefined && header.size > USTAR_MAX_SIZE) pax.size = String(header.size);
  if (stat.isCharacterDevice() || stat.isBlockDevice()) {
    header.devmajor = major(stat.rdev);
    header.devminor = minor(stat.rdev);
  }
  if (Object.keys(pax).length > 0) header.pax = pax;
  return header;
}

/** Entries prepared ahead of the one being written, and the size up to which a file is read whole. */
const READ_AHEAD = 32;
const SMALL_FILE = 1024 * 1024;

interface Prepared {
  readonly item: LayerItem;
  readonly header: LayerHeader;
  /** A small file's bytes, read while earlier entries are written. */
  readonly bytes?: Promise<Buffer>;
}

async function readExactly(file: string, size: number): Promise<Buffer> {
  const bytes = await readFile(file);
  if (bytes.length < size) throw new Error(`${file} has ${bytes.length} bytes, not the ${size} it had`);
  return bytes.length === size ? bytes : bytes.subarray(0, size);
}

function prepare(item: LayerItem, options: WriteLayerOptions): Prepared {
  const header = headerOf(item, options);
  const size = header.size ?? 0;
  if (item.kind !== 'entry' || header.type !== 'file' || size === 0 || size > SMALL_FILE)
    return { item, header };
  const bytes = readExactly(item.file, size);
  // Awaited when its turn comes; until then a failure must not count as unhandled.
  bytes.catch(() => undefined);
  return { item, header, bytes };
}

async function addEntry(pack: Pack, { item, header, bytes }: Prepared): Promise<void> {
  try {
    // Reading exactly `size` bytes keeps sparse files safe (holes read as zeros) and turns a file
    // that shrinks mid-write into a clear error instead of a corrupt tar.
    const data =
      bytes !== undefined
        ? [await bytes]
        : item.kind === 'entry' && header.type === 'file' && header.size
          ? createReadStream(item.file, { start: 0, end: header.size - 1 })
          : undefined;
    await addPackEntry(pack, header, data);
  } catch (error) {
    throw new TsbuildError('SNAPSHOT', `cannot add ${item.name} to the layer: ${(error as Error).message}`, {
      cause: error,
      hint: 'the snapshot changed while its layer was being written; nothing may write into it then',
    });
  }
}

/**
 * A deterministic tar stream of a snapshot dir (an overlayfs upper dir): byte-ordered entries,
 * PAX for long or non-ASCII names, big files, big ids and xattrs; overlay whiteouts and opaque
 * dirs turned into their OCI `.wh.` forms.
 */
export function packLayer(dir: string, options: WriteLayerOptions = {}): Readable {
  const pack = createPack();
  (async () => {
    for await (const prepared of readAhead(walkSnapshot(dir), READ_AHEAD, (item) => prepare(item, options)))
      await addEntry(pack, prepared);
    pack.finalize();
  })().catch((error: unknown) => pack.destroy(error as Error));
  // A Node stream keeps a failure for a reader that has not started yet (the blob store opens its
  // temp file first); a tar-stream pack emits it at once, to nobody, which ends the process.
  const out = new PassThrough();
  out.on('error', () => undefined);
  pipeStreams(pack as unknown as Readable, out, () => undefined);
  return out;
}

/** Streams the layer tar of `dir` into `output` and returns its diff_id and size. */
export async function writeLayer(
  dir: string,
  options: WriteLayerOptions & { readonly output: Writable },
): Promise<LayerResult> {
  const hashing = createHashingStream();
  await pipeline(packLayer(dir, options), hashing, options.output);
  const { digest, size } = hashing.result();
  return { diffId: digest, size };
}
