/**
 * Reads a `docker save`-format archive (what both `docker save` and
 * `tsbuild save --format docker` write) into the image config and the
 * flattened root filesystem. Deliberately independent of src/image: the
 * same reader serves both engines, so a bug in tsbuild's layer code cannot
 * hide itself on both sides of a comparison.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract, type Header } from 'tar-stream';

export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One path of a root filesystem, everything but times. */
export interface FsEntry {
  readonly type: EntryType;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Symlink or hardlink target. */
  readonly link?: string;
  /** sha256 of a regular file's content. */
  readonly sha256?: string;
  /** Extended attributes (pax `SCHILY.xattr.*`), name -> value. */
  readonly xattrs?: Readonly<Record<string, string>>;
}

export type RootFs = ReadonlyMap<string, FsEntry>;

/** The image config JSON as written in the archive (OCI / Docker image config). */
export interface ArchiveConfig {
  readonly config?: Readonly<Record<string, unknown>>;
  readonly history?: readonly Readonly<Record<string, unknown>>[];
  readonly author?: string;
  readonly architecture?: string;
  readonly os?: string;
  readonly [key: string]: unknown;
}

export interface SavedImage {
  readonly config: ArchiveConfig;
  readonly layerCount: number;
  readonly rootfs: RootFs;
}

interface RawEntry {
  readonly header: Header;
  readonly data: Buffer;
}

async function readTar(input: Readable): Promise<RawEntry[]> {
  const ex = extract();
  input.pipe(ex);
  const out: RawEntry[] = [];
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    out.push({ header: entry.header, data: Buffer.concat(chunks) });
  }
  return out;
}

/** Normalised absolute path of a tar member: `./a/b/` -> `/a/b`. */
function cleanPath(name: string): string {
  return posix.join('/', name).replace(/\/$/, '') || '/';
}

const TYPES: Partial<Record<Header['type'], EntryType>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'directory',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

function toEntry(raw: RawEntry): FsEntry {
  const h = raw.header;
  const type = TYPES[h.type];
  if (type === undefined) throw new Error(`unexpected tar entry type ${h.type} for ${h.name}`);
  const pax = (h.pax ?? {}) as Record<string, string>;
  const xattrs = Object.entries(pax).filter(([k]) => k.startsWith('SCHILY.xattr.'));
  return {
    type,
    mode: h.mode & 0o7777,
    uid: h.uid,
    gid: h.gid,
    size: type === 'file' ? raw.data.length : 0,
    ...(type === 'symlink' && { link: h.linkname }),
    ...(type === 'hardlink' && { link: cleanPath(h.linkname) }),
    ...(type === 'file' && { sha256: createHash('sha256').update(raw.data).digest('hex') }),
    ...(xattrs.length > 0 && {
      xattrs: Object.fromEntries(xattrs.map(([k, v]) => [k.slice('SCHILY.xattr.'.length), v])),
    }),
  };
}

function removeTree(fs: Map<string, FsEntry>, path: string, keepSelf: boolean): void {
  const prefix = path === '/' ? '/' : `${path}/`;
  for (const key of [...fs.keys()]) {
    if (key.startsWith(prefix) || (!keepSelf && key === path)) fs.delete(key);
  }
}

/**
 * Applies one layer: its whiteouts act on the layers below it only (so they
 * run first), then its entries are added.
 */
function applyLayer(fs: Map<string, FsEntry>, entries: readonly RawEntry[]): void {
  const plain: RawEntry[] = [];
  for (const e of entries) {
    const path = cleanPath(e.header.name);
    const base = posix.basename(path);
    if (base === '.wh..wh..opq') removeTree(fs, posix.dirname(path), true);
    else if (base.startsWith('.wh.')) removeTree(fs, posix.join(posix.dirname(path), base.slice(4)), false);
    else plain.push(e);
  }
  for (const e of plain) {
    const path = cleanPath(e.header.name);
    const existing = fs.get(path);
    const entry = toEntry(e);
    // A directory entry over an existing directory keeps its children; anything else replaces the tree.
    if (existing !== undefined && !(existing.type === 'directory' && entry.type === 'directory')) {
      removeTree(fs, path, true);
    }
    fs.set(path, entry);
  }
}

function maybeGunzip(data: Buffer): Buffer {
  if (data[0] === 0x1f && data[1] === 0x8b) return gunzipSync(data);
  if (data.readUInt32LE(0) === 0xfd2fb528) {
    throw new Error('zstd layers are not read by the conformance harness; save with compression none');
  }
  return data;
}

/** Reads a docker-format archive holding exactly one image. */
export async function readSavedImage(archive: string): Promise<SavedImage> {
  const members = new Map<string, Buffer>();
  for (const e of await readTar(createReadStream(archive))) {
    if (e.header.type === 'file') members.set(posix.normalize(e.header.name), e.data);
  }
  const manifestText = members.get('manifest.json');
  if (manifestText === undefined) throw new Error(`${archive} has no manifest.json`);
  const manifest = JSON.parse(manifestText.toString()) as { Config: string; Layers: string[] }[];
  if (manifest.length !== 1) throw new Error(`${archive} holds ${manifest.length} images, expected 1`);
  const { Config, Layers } = manifest[0]!;
  const member = (name: string) => {
    const data = members.get(posix.normalize(name));
    if (data === undefined) throw new Error(`${archive}: ${name} is missing`);
    return data;
  };
  const config = JSON.parse(member(Config).toString()) as ArchiveConfig;
  const fs = new Map<string, FsEntry>();
  for (const layer of Layers) {
    applyLayer(fs, await readTar(Readable.from([maybeGunzip(member(layer))])));
  }
  return { config, layerCount: Layers.length, rootfs: fs };
}
