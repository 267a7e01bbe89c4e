import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Header } from 'tar-stream';
import { TsbuildError } from '../../errors.ts';
import { openDecompressed } from '../compression/codecs.ts';
import { createByteLimit, DEFAULT_MAX_LAYER_BYTES } from '../compression/limit.ts';
import { createDigestCounter, type Digest } from '../digest.ts';
import type { LayerCompression } from '../media-types.ts';
import {
  applyDirMeta,
  applyMeta,
  applyOwnerAndXattrs,
  clearPlace,
  type DirMeta,
  type EntryMeta,
  makeNode,
  writeFileEntry,
} from './apply-entry.ts';
import { createExtract, paxRecordsOf } from './pax.ts';
import { createParentCache, entryParts, type ParentCache, resolveDirInRoot, unsafe } from './safe-path.ts';
import { OPAQUE_MARKER, WHITEOUT_PREFIX, WHITEOUT_XATTR } from './walk.ts';

export interface ApplyLayerOptions {
  /** Most uncompressed tar bytes to accept (decompression bombs); default 64 GiB. */
  readonly maxBytes?: number;
  readonly signal?: AbortSignal;
  /** Device nodes: created only by root by default; `skip` drops them (e.g. rootless unpacking). */
  readonly devices?: 'create' | 'skip';
}

export interface ApplyLayerResult {
  /** sha256 and size of the uncompressed tar, for checking against the image's diff_ids. */
  readonly diffId: Digest;
  readonly size: number;
  readonly compression: LayerCompression;
  /** Device nodes not created because this process is not root. */
  readonly skippedDevices: number;
  /** xattrs that could not be set here (e.g. `security.*` when not root). */
  readonly skippedXattrs: number;
}

interface ApplyState {
  readonly root: string;
  readonly asRoot: boolean;
  readonly devices: 'create' | 'skip';
  readonly maxBytes: number;
  /** Places this layer wrote: an opaque dir keeps these and drops what earlier layers left. */
  readonly written: Set<string>;
  readonly dirs: DirMeta[];
  readonly parents: ParentCache;
  skippedDevices: number;
  skippedXattrs: number;
}

function metaOf(header: Header, pax: ReadonlyMap<string, Buffer>): EntryMeta {
  const xattrs = new Map<string, Buffer>();
  for (const [key, value] of pax) {
    if (key.startsWith('SCHILY.xattr.')) xattrs.set(key.slice('SCHILY.xattr.'.length), value);
  }
  const id = (key: string, fallback: number) => {
    const v = pax.get(key);
    return v === undefined ? fallback : Number(v.toString());
  };
  return {
    uid: id('uid', header.uid),
    gid: id('gid', header.gid),
    mode: header.mode,
    mtime: header.mtime,
    xattrs,
  };
}

/** Removes what is at `target` (see clearPlace) and forgets resolved parents if anything went. */
function clear(state: ApplyState, target: string, keepDirectory: boolean): 'kept' | 'removed' | 'absent' {
  const result = clearPlace(target, keepDirectory);
  if (result === 'removed') state.parents.clear();
  return result;
}

function whiteout(state: ApplyState, parts: readonly string[], base: string): void {
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (base !== OPAQUE_MARKER && (name === '' || name === '.' || name === '..')) {
    throw unsafe(`layer whiteout "${parts.join('/')}" names no file`);
  }
  let dir: string | undefined;
  try {
    dir = resolveDirInRoot(state.root, parts.slice(0, -1), false);
  } catch {
    return; // a parent is not a directory (or loops): nothing there to delete
  }
  if (dir === undefined) return; // the directory does not exist, so there is nothing to delete
  state.parents.clear();
  if (base === OPAQUE_MARKER) {
    for (const child of fs.readdirSync(dir)) {
      const full = path.join(dir, child);
      if (!state.written.has(full)) fs.rmSync(full, { recursive: true, force: true });
    }
    return;
  }
  fs.rmSync(path.join(dir, name), { recursive: true, force: true });
}

function hardlink(state: ApplyState, header: Header, target: string): void {
  const linkParts = entryParts(header.linkname ?? '', 'hardlink target');
  if (linkParts.length === 0) throw unsafe(`hardlink "${header.name}" has no target`);
  let source: string | undefined;
  try {
    const dir = resolveDirInRoot(state.root, linkParts.slice(0, -1), false);
    source = dir === undefined ? undefined : path.join(dir, linkParts[linkParts.length - 1]!);
  } catch {
    source = undefined;
  }
  const stat = source === undefined ? undefined : fs.lstatSync(source, { throwIfNoEntry: false });
  if (source === undefined || !stat) {
    throw unsafe(`hardlink "${header.name}" points at "${header.linkname}", which is not in the layers`);
  }
  if (stat.isDirectory()) throw unsafe(`hardlink "${header.name}" points at a directory`);
  if (source === target) return;
  clear(state, target, false);
  // link(2) does not follow a final symlink: a link to a symlink is another symlink, never its target.
  fs.linkSync(source, target);
}

async function applyEntry(state: ApplyState, header: Header, data: AsyncIterable<unknown>): Promise<void> {
  const pax = paxRecordsOf(header);
  if ([...pax.keys()].some((k) => k.startsWith('GNU.sparse.'))) {
    throw new TsbuildError(
      'IMAGE',
      `layer entry "${header.name}" is a GNU sparse file, which layers may not use`,
    );
  }
  const parts = entryParts(header.name);
  if (parts.length === 0) return; // the layer root itself: the target dir keeps its own metadata
  const base = parts[parts.length - 1]!;
  if (base.startsWith(WHITEOUT_PREFIX)) return whiteout(state, parts, base);
  const meta = metaOf(header, pax);
  // overlayfs's forms, for tars made from upper dirs by tools that kept them: a 0/0 char device,
  // or an empty file marked with the whiteout xattr.
  const isOverlayWhiteout =
    (header.type === 'character-device' && header.devmajor === 0 && header.devminor === 0) ||
    (header.type === 'file' && header.size === 0 && meta.xattrs.has(WHITEOUT_XATTR));
  if (isOverlayWhiteout) return whiteout(state, parts, `${WHITEOUT_PREFIX}${base}`);
  const target = path.join(state.parents.resolve(state.root, parts.slice(0, -1)), base);
  state.written.add(target);
  switch (header.type) {
    case 'directory': {
      if (clear(state, target, true) !== 'kept') fs.mkdirSync(target, { mode: 0o700 });
      if (meta.xattrs.get('trusted.overlay.opaque')?.toString() === 'y') {
        whiteout(state, [...parts, OPAQUE_MARKER], OPAQUE_MARKER);
      }
      state.skippedXattrs += applyOwnerAndXattrs(target, meta, state.asRoot);
      state.dirs.push({ path: target, mode: meta.mode, mtime: meta.mtime });
      return;
    }
    case 'file':
    case 'contiguous-file':
      clear(state, target, false);
      await writeFileEntry(target, data);
      state.skippedXattrs += applyMeta(target, meta, 'file', state.asRoot);
      return;
    case 'symlink':
      if (!header.linkname) throw unsafe(`layer entry "${header.name}" is a symlink without a target`);
      clear(state, target, false);
      fs.symlinkSync(header.linkname, target);
      state.skippedXattrs += applyMeta(target, meta, 'symlink', state.asRoot);
      return;
    case 'link':
      return hardlink(state, header, target);
    case 'character-device':
    case 'block-device':
    case 'fifo':
      if (state.devices === 'skip' && header.type !== 'fifo') {
        state.skippedDevices++;
        return;
      }
      clear(state, target, false);
      await makeNode(target, header);
      state.skippedXattrs += applyMeta(target, meta, 'file', state.asRoot);
      return;
    default:
      throw new TsbuildError(
        'IMAGE',
        `layer entry "${header.name}" has an unsupported type (${header.type})`,
      );
  }
}

/**
 * Extracts a layer (gzip, zstd or plain tar) into `targetDir`, flattening: OCI whiteouts delete
 * what earlier layers put there, so applying an image's layers in order into one directory gives
 * its root filesystem. Nothing is ever written outside `targetDir`.
 */
export async function applyLayer(
  source: AsyncIterable<Uint8Array>,
  targetDir: string,
  options: ApplyLayerOptions = {},
): Promise<ApplyLayerResult> {
  const root = path.resolve(targetDir);
  await fsp.mkdir(root, { recursive: true });
  const state: ApplyState = {
    root: await fsp.realpath(root),
    asRoot: process.getuid?.() === 0,
    devices: options.devices ?? (process.getuid?.() === 0 ? 'create' : 'skip'),
    maxBytes: options.maxBytes ?? DEFAULT_MAX_LAYER_BYTES,
    written: new Set(),
    dirs: [],
    parents: createParentCache(),
    skippedDevices: 0,
    skippedXattrs: 0,
  };
  let compressedBytes = 0;
  const counted = (async function* () {
    for await (const chunk of source) {
      compressedBytes += chunk.byteLength;
      yield chunk;
    }
  })();
  const { compression, stream } = await openDecompressed(counted);
  const counter = createDigestCounter();
  // The default limits also watch the expansion ratio; an explicit maxBytes is the caller's call.
  const ratioOf =
    compression !== 'none' && options.maxBytes === undefined ? () => compressedBytes : undefined;
  const limited = createByteLimit(state.maxBytes, (chunk) => counter.update(chunk), ratioOf);
  const extract = createExtract();
  const feeding = pipeline(stream, limited, extract as unknown as NodeJS.WritableStream, {
    ...(options.signal ? { signal: options.signal } : {}),
  });
  feeding.catch(() => undefined); // reported through the iteration below or awaited after it
  try {
    for await (const entry of extract) {
      options.signal?.throwIfAborted();
      // tar-stream reads a size field that is not a number as null and then stalls for ever.
      const size = entry.header.size as number | null | undefined;
      if (size === null || (size !== undefined && !(Number.isSafeInteger(size) && size >= 0))) {
        throw new TsbuildError(
          'IMAGE',
          `the layer is not a valid tar: entry "${entry.header.name}" has no valid size`,
          {
            hint: 'the layer blob is corrupt or is not a layer; pull, load or build the image again',
          },
        );
      }
      await applyEntry(state, entry.header, entry);
      entry.resume();
    }
    await feeding;
  } catch (error) {
    extract.destroy();
    stream.destroy();
    const cause = await feeding.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (cause instanceof TsbuildError) throw cause;
    // The decompressor or the tar parser gave up (no syscall failed): the blob is not a layer.
    if (cause instanceof Error && !('syscall' in cause) && !(error instanceof TsbuildError)) {
      const form = compression === 'none' ? 'tar' : `${compression} tar`;
      throw new TsbuildError('IMAGE', `the layer is not a valid ${form}: ${cause.message}`, {
        cause,
        hint: 'the layer blob is corrupt or is not a layer; pull, load or build the image again',
      });
    }
    throw error;
  }
  applyDirMeta(state.dirs);
  const { digest, size } = counter.result();
  return {
    diffId: digest,
    size,
    compression,
    skippedDevices: state.skippedDevices,
    skippedXattrs: state.skippedXattrs,
  };
}
