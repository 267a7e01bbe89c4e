/**
 * `--cache-to`: writes the build's cache records and their layers to a local OCI layout or a
 * registry as one cache manifest (an OCI artifact: config = the records document, layers = the
 * blobs), or returns inline metadata for the image config.
 */
import { Readable } from 'node:stream';
import PQueue from 'p-queue';
import { TsbuildError } from '../../errors.ts';
import {
  type Descriptor,
  type ImageManifest,
  type ImageStore,
  jsonBlob,
  layerCompressionOf,
  OCI_MANIFEST,
  type Platform,
} from '../../image/index.ts';
import type { EnsureCompressed, RegistryAccessOptions } from '../../registry/index.ts';
import type { CacheStore } from '../records.ts';
import { type Collected, collectRecords } from './collect.ts';
import {
  CACHE_ARTIFACT_TYPE,
  CACHE_CONFIG_TYPE,
  CACHE_SCHEMA,
  type CacheDocument,
  type ExportedBlob,
  type ResultLayer,
} from './format.ts';
import { openTarget } from './registry-target.ts';
import { settleAll } from './settle.ts';
import type { CacheCompression, CacheExportSpec } from './spec.ts';
import type { CacheTarget } from './target.ts';

export interface CacheExportContext {
  readonly store: ImageStore;
  readonly cache: CacheStore;
  /** Keys of the build's steps: the `key` of every `vertex.cached` and `vertex.completed` event. */
  readonly keys: readonly string[];
  /** `rootfs.diff_ids` of the built image (mode=min exports the steps on this chain). */
  readonly imageDiffIds: readonly string[];
  readonly platform: Platform;
  readonly registry?: RegistryAccessOptions;
  /** The image module's memoised compressor; needed when the spec asks for gzip or zstd. */
  readonly ensureCompressed?: EnsureCompressed;
  readonly signal?: AbortSignal;
}

export interface CacheExportReport {
  readonly where: string;
  readonly records: number;
  readonly blobs: number;
  readonly mounts: number;
}

async function exportedBlob(
  layer: ResultLayer,
  compression: CacheCompression,
  ensureCompressed: EnsureCompressed | undefined,
): Promise<ExportedBlob> {
  const stored: Descriptor = { mediaType: layer.mediaType, digest: layer.digest, size: layer.size };
  // Base image layers are often stored compressed already: they travel as they are.
  if (compression === 'uncompressed' || layerCompressionOf(layer.mediaType) !== 'none') {
    return { ...stored, diffId: layer.diffId };
  }
  if (ensureCompressed === undefined) {
    throw new TsbuildError('INTERNAL', `--cache-to compression=${compression} needs a layer compressor`);
  }
  const compressed = await ensureCompressed(stored, { compression });
  return {
    mediaType: compressed.mediaType,
    digest: compressed.digest,
    size: compressed.size,
    diffId: layer.diffId,
  };
}

function documentOf(collected: Collected, blobs: readonly ExportedBlob[]): CacheDocument {
  return { schema: CACHE_SCHEMA, blobs, records: collected.records, mounts: collected.mounts };
}

async function writeTo(
  target: CacheTarget,
  ctx: CacheExportContext,
  collected: Collected,
  compression: CacheCompression,
): Promise<CacheExportReport> {
  const blobs = await settleAll(
    [...collected.layers.values()].map((l) => exportedBlob(l, compression, ctx.ensureCompressed)),
  );
  const queue = new PQueue({ concurrency: 3 });
  await settleAll(
    blobs.map((blob) =>
      queue.add(() => target.writeBlob(blob, () => ctx.store.blobs.open(blob.digest), ctx.signal)),
    ),
  );
  const config = jsonBlob(documentOf(collected, blobs), CACHE_CONFIG_TYPE);
  await target.writeBlob(
    config.descriptor,
    async () => Readable.from([Buffer.from(config.bytes)]),
    ctx.signal,
  );
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: CACHE_ARTIFACT_TYPE,
    config: config.descriptor,
    layers: blobs.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
  };
  const bytes = jsonBlob(manifest, OCI_MANIFEST).bytes;
  ctx.signal?.throwIfAborted();
  await target.writeManifest(bytes, OCI_MANIFEST, ctx.signal);
  return {
    where: target.where,
    records: collected.records.length,
    blobs: blobs.length,
    mounts: collected.mounts.length,
  };
}

/** Exports to a local directory or a registry; `type=inline` goes through {@link inlineCache}. */
export async function exportCache(
  spec: CacheExportSpec,
  ctx: CacheExportContext,
): Promise<CacheExportReport> {
  if (spec.type === 'inline') {
    throw new TsbuildError('INTERNAL', 'inline cache is written into the image config: use inlineCache()');
  }
  const collected = await collectRecords(ctx.cache, ctx.store, {
    mode: spec.mode,
    cacheMounts: spec.cacheMounts,
    keys: ctx.keys,
    imageDiffIds: ctx.imageDiffIds,
  });
  const target = openTarget(spec.type === 'local' ? { type: 'local', dir: spec.dest, tag: spec.tag } : spec, {
    ...ctx.registry,
    platform: ctx.platform,
    ...(ctx.signal !== undefined && { signal: ctx.signal }),
  });
  return writeTo(target, ctx, collected, spec.compression);
}

/**
 * `--cache-to type=inline`: the records of the image's own steps, to be stored in the image
 * config under INLINE_CACHE_FIELD. The blobs are the image's layers, found by diff id on import.
 */
export async function inlineCache(
  ctx: Pick<CacheExportContext, 'store' | 'cache' | 'keys' | 'imageDiffIds'>,
): Promise<CacheDocument> {
  const collected = await collectRecords(ctx.cache, ctx.store, {
    mode: 'min',
    cacheMounts: false,
    keys: ctx.keys,
    imageDiffIds: ctx.imageDiffIds,
  });
  const blobs = [...collected.layers.values()].map(({ mediaType, digest, size, diffId }) => ({
    mediaType,
    digest,
    size,
    diffId,
  }));
  return documentOf(collected, blobs);
}
