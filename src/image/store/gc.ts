import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { type Digest, digestFromHex, isDigest } from '../digest.ts';
import { isIndexMediaType, isManifestMediaType } from '../media-types.ts';
import type { Descriptor } from '../types.ts';
import type { ImageStore } from './store.ts';

/** Documents bigger than this are never parsed for children (manifests are a few KiB). */
const MAX_DOCUMENT = 4 * 1024 * 1024;

async function childrenOf(store: ImageStore, digest: Digest): Promise<readonly Descriptor[]> {
  const size = await store.blobs.size(digest).catch(() => undefined);
  if (size === undefined || size > MAX_DOCUMENT) return [];
  let doc: { mediaType?: unknown; config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
  try {
    const bytes = await store.blobs.read(digest);
    if (bytes[0] !== 0x7b) return []; // not JSON: a layer or other data blob
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    return [];
  }
  const type = typeof doc.mediaType === 'string' ? doc.mediaType : '';
  if (isIndexMediaType(type) || Array.isArray(doc.manifests)) return doc.manifests ?? [];
  if (isManifestMediaType(type) || (doc.config && Array.isArray(doc.layers))) {
    return [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])];
  }
  return [];
}

/** Memo entries under compressed/: (memo file, diff_id it was made from, compressed blob). */
async function memos(
  store: ImageStore,
): Promise<{ file: string; diffId: Digest; blob: Digest | undefined }[]> {
  const out: { file: string; diffId: Digest; blob: Digest | undefined }[] = [];
  const root = path.join(store.root, 'compressed');
  for (const variant of await fsp.readdir(root).catch(() => [] as string[])) {
    for (const hex of await fsp.readdir(path.join(root, variant)).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{64}$/.test(hex)) continue;
      const file = path.join(root, variant, hex);
      const blob = await fsp
        .readFile(file, 'utf8')
        .then((t) => (JSON.parse(t) as Descriptor).digest)
        .catch(() => undefined);
      out.push({ file, diffId: digestFromHex(hex), blob: isDigest(blob) ? blob : undefined });
    }
  }
  return out;
}

/**
 * Every blob something still needs: what tags point at, what other modules declare through
 * `store.gcRoots` (cache records), everything those reach, and the kept compressed forms of
 * live layers.
 */
export async function liveBlobs(store: ImageStore): Promise<Set<Digest>> {
  const roots: Digest[] = [];
  for (const { target } of await store.refs.list()) roots.push(target.digest);
  for (const [, provider] of store.gcRoots.providers()) {
    for (const digest of await provider()) if (isDigest(digest)) roots.push(digest);
  }
  const live = new Set<Digest>();
  const queue = [...roots];
  while (queue.length > 0) {
    const digest = queue.pop()!;
    if (live.has(digest)) continue;
    live.add(digest);
    for (const child of await childrenOf(store, digest)) queue.push(child.digest);
  }
  for (const memo of await memos(store)) {
    if (live.has(memo.diffId) && memo.blob) live.add(memo.blob);
  }
  return live;
}

/** Compressed blobs the store made from any of `diffIds` (kept memos under compressed/). */
export async function compressedForms(store: ImageStore, diffIds: ReadonlySet<Digest>): Promise<Digest[]> {
  return (await memos(store)).flatMap((m) => (m.blob && diffIds.has(m.diffId) ? [m.blob] : []));
}

export interface GcOptions {
  /** Blobs written or touched more recently than this are kept (a concurrent build may be about to reference them). */
  readonly graceMs?: number;
}

export interface GcResult {
  readonly removed: readonly Digest[];
  readonly freedBytes: number;
}

/** Deletes the given dead blobs, sparing ones touched within `graceMs`, and the memos naming them. */
export async function deleteBlobs(
  store: ImageStore,
  dead: readonly Digest[],
  graceMs = 0,
): Promise<GcResult> {
  const removed: Digest[] = [];
  let freedBytes = 0;
  const now = Date.now();
  for (const digest of dead) {
    const stat = await fsp.stat(store.blobs.path(digest)).catch(() => undefined);
    if (!stat || now - stat.mtimeMs < graceMs) continue;
    await store.blobs.delete(digest);
    removed.push(digest);
    freedBytes += stat.size;
  }
  const gone = new Set(removed);
  for (const memo of await memos(store)) {
    if (gone.has(memo.diffId) || (memo.blob && gone.has(memo.blob)) || !memo.blob) {
      await fsp.rm(memo.file, { force: true });
    }
  }
  return { removed, freedBytes };
}

/** Removes every blob nothing references (see liveBlobs). */
export async function collectGarbage(store: ImageStore, options: GcOptions = {}): Promise<GcResult> {
  const live = await liveBlobs(store);
  const dead: Digest[] = [];
  for await (const digest of store.blobs.list()) if (!live.has(digest)) dead.push(digest);
  return deleteBlobs(store, dead, options.graceMs ?? 0);
}
