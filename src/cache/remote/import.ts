/**
 * `--cache-from`: reads a cache manifest (or an image with inline cache metadata), fetches the
 * layer blobs of every record this store lacks (verified as they are stored), and only then
 * writes the record, so an imported record is as complete as a local one. Imported states have
 * no snapshot: the first step that needs their files materialises them from the blobs.
 */
import PQueue from 'p-queue';
import { TsbuildError } from '../../errors.ts';
import {
  type Descriptor,
  type Digest,
  type ImageManifest,
  type ImageStore,
  OCI_LAYER,
  type Platform,
  parseConfig,
  sha256OfBytes,
} from '../../image/index.ts';
import type { RegistryAccessOptions } from '../../registry/index.ts';
import type { CacheStore } from '../records.ts';
import {
  CACHE_CONFIG_TYPE,
  type CacheDocument,
  checkCacheDocument,
  INLINE_CACHE_FIELD,
  MAX_DOCUMENT_BYTES,
  parseCacheDocument,
  type ResultLayer,
} from './format.ts';
import { importMounts } from './mounts.ts';
import { openTarget } from './registry-target.ts';
import { settleAll } from './settle.ts';
import type { CacheImportSpec } from './spec.ts';
import type { CacheTarget } from './target.ts';

export interface CacheImportContext {
  readonly store: ImageStore;
  readonly cache: CacheStore;
  readonly platform: Platform;
  readonly registry?: RegistryAccessOptions;
  readonly signal?: AbortSignal;
}

export interface CacheImportReport {
  readonly where: string;
  /** False when the source holds no cache yet (a first build): not an error, as in BuildKit. */
  readonly found: boolean;
  /** Records written to this store, and records it already had. */
  readonly imported: number;
  readonly present: number;
  readonly blobsFetched: number;
  readonly bytesFetched: number;
  readonly mounts: number;
}

interface Source {
  readonly document: CacheDocument;
  /** The blob holding each diff id, as the source has it. */
  readonly blobs: ReadonlyMap<string, Descriptor>;
}

async function readSmallBlob(target: CacheTarget, blob: Descriptor, signal?: AbortSignal): Promise<Buffer> {
  if (blob.size > MAX_DOCUMENT_BYTES) {
    throw new TsbuildError(
      'CACHE',
      `${target.where}: its config ${blob.digest} is larger than ${MAX_DOCUMENT_BYTES} bytes`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of await target.readBlob(blob, signal)) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  if (bytes.length !== blob.size || sha256OfBytes(bytes) !== blob.digest) {
    throw new TsbuildError('DIGEST_MISMATCH', `${target.where}: its config does not match ${blob.digest}`, {
      hint: 'the cache source is corrupt; export it again',
    });
  }
  return bytes;
}

/** A cache manifest's document, or the inline metadata of an image; undefined when neither. */
async function readSource(
  target: CacheTarget,
  manifest: ImageManifest,
  signal?: AbortSignal,
): Promise<Source | undefined> {
  const bytes = await readSmallBlob(target, manifest.config, signal);
  if (manifest.config.mediaType === CACHE_CONFIG_TYPE) {
    const document = parseCacheDocument(bytes, target.where);
    const byDigest = new Map(manifest.layers.map((l) => [l.digest, l]));
    const blobs = new Map<string, Descriptor>();
    for (const b of document.blobs) {
      // Only blobs the manifest itself names: the registry checked those exist.
      if (byDigest.has(b.digest)) blobs.set(b.diffId, byDigest.get(b.digest)!);
    }
    return { document, blobs };
  }
  const config = parseConfig(bytes, `${target.where} (image config)`);
  const inline = (config as unknown as Record<string, unknown>)[INLINE_CACHE_FIELD];
  if (inline === undefined) return undefined;
  const document = checkCacheDocument(inline, `${target.where} (inline cache)`);
  const blobs = new Map<string, Descriptor>();
  config.rootfs.diff_ids.forEach((diffId, i) => {
    const layer = manifest.layers[i];
    if (layer !== undefined) blobs.set(diffId, layer);
  });
  return { document, blobs };
}

export async function importCache(
  spec: CacheImportSpec,
  ctx: CacheImportContext,
): Promise<CacheImportReport> {
  const target = openTarget(spec.type === 'local' ? { type: 'local', dir: spec.src, tag: spec.tag } : spec, {
    ...ctx.registry,
    platform: ctx.platform,
    ...(ctx.signal !== undefined && { signal: ctx.signal }),
  });
  const empty = { where: target.where, imported: 0, present: 0, blobsFetched: 0, bytesFetched: 0, mounts: 0 };
  const manifest = await target.readManifest(ctx.signal);
  const source = manifest === undefined ? undefined : await readSource(target, manifest, ctx.signal);
  if (source === undefined) return { ...empty, found: false };

  const fetched = { blobs: 0, bytes: 0 };
  const queue = new PQueue({ concurrency: 3 });
  const pending = new Map<string, Promise<ResultLayer>>();
  /** The layer as this store will hold it: the local tar when present, else the fetched blob. */
  const localLayer = (diffId: Digest): Promise<ResultLayer> => {
    let p = pending.get(diffId);
    if (p === undefined) {
      p = (async () => {
        if (await ctx.store.blobs.has(diffId)) {
          return { mediaType: OCI_LAYER, digest: diffId, diffId, size: await ctx.store.blobs.size(diffId) };
        }
        const blob = source.blobs.get(diffId);
        if (blob === undefined) {
          throw new TsbuildError('CACHE', `${target.where} lists no blob for layer ${diffId}`, {
            hint: 'the cache source is incomplete; export it again',
          });
        }
        if (!(await ctx.store.blobs.has(blob.digest))) {
          await queue.add(async () => {
            const stream = await target.readBlob(blob, ctx.signal);
            await ctx.store.blobs.put(stream, { digest: blob.digest, size: blob.size });
          });
          fetched.blobs += 1;
          fetched.bytes += blob.size;
        }
        return { mediaType: blob.mediaType, digest: blob.digest, diffId, size: blob.size };
      })();
      pending.set(diffId, p);
    }
    return p;
  };

  let imported = 0;
  let present = 0;
  await settleAll(
    source.document.records.map(async (record) => {
      if ((await ctx.cache.get(record.key)) !== undefined) {
        present += 1;
        return;
      }
      const layers = await settleAll(record.result.layers.map((l) => localLayer(l.diffId)));
      ctx.signal?.throwIfAborted();
      await ctx.cache.put(record.key, {
        result: { ...record.result, layers },
        ...(record.definition !== undefined && { definition: record.definition }),
        ...(record.description !== undefined && { description: record.description }),
        ...(record.inputKeys !== undefined && { inputKeys: record.inputKeys }),
        ...(record.slot !== undefined && { slot: record.slot }),
      });
      imported += 1;
    }),
  );
  const mounts = await importMounts(ctx.store, source.document.mounts, localLayer);
  return {
    ...empty,
    found: true,
    imported,
    present,
    blobsFetched: fetched.blobs,
    bytesFetched: fetched.bytes,
    mounts,
  };
}
