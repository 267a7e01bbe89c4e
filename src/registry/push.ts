/**
 * pushImage: read an image from the store, make sure every layer has a compressed form (the
 * store's ensureCompressed, gzip by default), push config and layers through a bounded queue
 * (HEAD first, cross-repository mount when the source is on the same registry), then the manifest.
 */
import { TsbuildError } from '../errors.ts';
import { type Digest, sha256OfBytes } from '../image/digest.ts';
import {
  DOCKER_LAYER_GZIP,
  DOCKER_LAYER_ZSTD,
  DOCKER_MANIFEST,
  layerCompressionOf,
} from '../image/media-types.ts';
import { formatReference, parseReference, type Reference } from '../image/reference.ts';
import type { Descriptor } from '../image/types.ts';
import { parseManifest } from './manifest.ts';
import { clientFor, type RegistryAccessOptions, transferAll } from './options.ts';
import type { CompressionChoice, EnsureCompressed, RegistryStore } from './store-port.ts';
import { type PushBlobOutcome, pushBlob, type UploadMode } from './upload.ts';

export type PushEvent =
  | { readonly kind: 'blob-start'; readonly digest: Digest; readonly size: number }
  | { readonly kind: 'blob-progress'; readonly digest: Digest; readonly sent: number; readonly size: number }
  | {
      readonly kind: 'blob-done';
      readonly digest: Digest;
      readonly size: number;
      readonly outcome: PushBlobOutcome;
    }
  | { readonly kind: 'manifest-pushed'; readonly ref: string; readonly digest: Digest };

export interface PushOptions extends RegistryAccessOptions {
  /** Compression for layers stored uncompressed; default gzip. */
  readonly compression?: CompressionChoice;
  /** Required when the image has uncompressed layers (every locally built image does). */
  readonly ensureCompressed?: EnsureCompressed;
  /** Upload blobs in chunks of this many bytes (PATCH + Content-Range) instead of one PUT. */
  readonly chunkSize?: number;
  readonly onProgress?: (event: PushEvent) => void;
}

export interface PushResult {
  readonly ref: Reference;
  /** Digest of the manifest as pushed: what `name@digest` pulls. */
  readonly digest: Digest;
  readonly manifest: Descriptor;
}

const DOCKER_LAYER_TYPES: Readonly<Record<string, string>> = {
  gzip: DOCKER_LAYER_GZIP,
  zstd: DOCKER_LAYER_ZSTD,
};

async function compressedLayers(
  layers: readonly Descriptor[],
  manifestType: string,
  options: PushOptions,
): Promise<readonly Descriptor[]> {
  const choice = options.compression ?? { compression: 'gzip' };
  return Promise.all(
    layers.map(async (layer) => {
      if (layerCompressionOf(layer.mediaType) !== 'none') return layer;
      if (!options.ensureCompressed) {
        throw new TsbuildError(
          'INTERNAL',
          `layer ${layer.digest} is uncompressed and no compressor was given to push`,
        );
      }
      const compressed = await options.ensureCompressed(layer, choice);
      // A Docker schema 2 manifest must name its layers with Docker media types.
      const dockerType = DOCKER_LAYER_TYPES[choice.compression];
      return manifestType === DOCKER_MANIFEST && dockerType
        ? { ...compressed, mediaType: dockerType }
        : compressed;
    }),
  );
}

export async function pushImage(
  store: RegistryStore,
  source: Reference | string,
  target?: Reference | string,
  options: PushOptions = {},
): Promise<PushResult> {
  const src = typeof source === 'string' ? parseReference(source) : source;
  const dest = target === undefined ? src : typeof target === 'string' ? parseReference(target) : target;
  const local = await store.refs.get(src);
  if (!local) {
    throw new TsbuildError('IMAGE_NOT_FOUND', `no image ${formatReference(src)} in the local store`, {
      hint: 'build, pull or tag the image first; `tsbuild images` lists what is there',
    });
  }
  const originalBytes = await store.blobs.read(local.digest);
  const parsed = parseManifest(originalBytes, local.mediaType, formatReference(src));
  if (parsed.kind !== 'image') {
    throw new TsbuildError(
      'IMAGE',
      `${formatReference(src)} is an index; pushing multi-platform indexes is not supported`,
      {
        hint: 'push one platform image at a time',
      },
    );
  }
  const layers = await compressedLayers(parsed.layers, parsed.mediaType, options);
  const changed = layers.some((layer, i) => layer !== parsed.layers[i]);
  // Unchanged manifests go out byte for byte, so a pulled image keeps its digest when pushed.
  const manifestBytes = changed
    ? Buffer.from(JSON.stringify({ ...(JSON.parse(originalBytes.toString('utf8')) as object), layers }))
    : originalBytes;
  const manifest: Descriptor = {
    mediaType: parsed.mediaType,
    digest: sha256OfBytes(manifestBytes),
    size: manifestBytes.length,
  };

  const client = clientFor(dest.registry, options);
  const mountFrom =
    src.registry === dest.registry && src.repository !== dest.repository ? src.repository : undefined;
  const mode: UploadMode = options.chunkSize
    ? { kind: 'chunked', chunkSize: options.chunkSize }
    : { kind: 'monolithic' };
  const report = options.onProgress;
  const blobs = [parsed.config, ...layers];
  await transferAll(blobs, options, async (blob, signal) => {
    report?.({ kind: 'blob-start', digest: blob.digest, size: blob.size });
    const outcome = await pushBlob(
      client,
      dest.repository,
      { descriptor: blob, open: () => store.blobs.open(blob.digest) },
      {
        mode,
        signal,
        ...(mountFrom ? { mountFrom } : {}),
        ...(report
          ? {
              onBytes: (sent: number) =>
                report({ kind: 'blob-progress', digest: blob.digest, sent, size: blob.size }),
            }
          : {}),
      },
    );
    report?.({ kind: 'blob-done', digest: blob.digest, size: blob.size, outcome });
  });
  const reference = dest.tag ?? dest.digest ?? manifest.digest;
  const digest = await client.putManifest(
    dest.repository,
    reference,
    manifestBytes,
    manifest.mediaType,
    options.signal,
  );
  if (changed) await store.blobs.put(manifestBytes, { digest, size: manifestBytes.length });
  report?.({ kind: 'manifest-pushed', ref: formatReference(dest), digest });
  return { ref: dest, digest, manifest };
}
