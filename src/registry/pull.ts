/**
 * pullImage: resolve a reference on its registry, pick the platform from an index, fetch config
 * and layers through a bounded queue straight into the store's verifying put, then store the
 * manifest and tag it. Blobs already in the store are not fetched; nothing unverified is kept.
 */
import { isTsbuildError, TsbuildError } from '../errors.ts';
import type { Digest } from '../image/digest.ts';
import { formatReference, parseReference, type Reference } from '../image/reference.ts';
import type { Descriptor, Platform } from '../image/types.ts';
import type { RegistryClient } from './client.ts';
import type { RegistryImageManifest } from './manifest.ts';
import { BLOB_ATTEMPTS, clientFor, type RegistryAccessOptions, transferAll } from './options.ts';
import { DEFAULT_PLATFORM, selectPlatform } from './platform.ts';
import type { RegistryStore } from './store-port.ts';

export type BlobRole = 'config' | 'layer';

export type PullEvent =
  | { readonly kind: 'resolved'; readonly ref: string; readonly digest: Digest; readonly mediaType: string }
  | { readonly kind: 'blob-start'; readonly role: BlobRole; readonly digest: Digest; readonly size: number }
  | {
      readonly kind: 'blob-progress';
      readonly digest: Digest;
      readonly received: number;
      readonly size: number;
    }
  | {
      readonly kind: 'blob-retry';
      readonly digest: Digest;
      readonly attempt: number;
      readonly reason: string;
    }
  | {
      readonly kind: 'blob-done';
      readonly role: BlobRole;
      readonly digest: Digest;
      readonly size: number;
      readonly outcome: 'fetched' | 'present';
    };

export interface PullOptions extends RegistryAccessOptions {
  /** Platform chosen from a multi-platform index; default linux/amd64. */
  readonly platform?: Platform;
  readonly onProgress?: (event: PullEvent) => void;
}

export interface PullResult {
  readonly ref: Reference;
  /** What the reference resolved to on the registry (an index for multi-platform images). */
  readonly resolvedDigest: Digest;
  /** The image manifest stored and tagged. */
  readonly manifest: Descriptor;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  /** Bytes fetched over the network (blobs already present are not counted). */
  readonly bytesFetched: number;
}

function transient(err: unknown): boolean {
  return isTsbuildError(err, 'REGISTRY') || isTsbuildError(err, 'DIGEST_MISMATCH');
}

async function fetchBlob(
  client: RegistryClient,
  store: RegistryStore,
  repository: string,
  descriptor: Descriptor,
  role: BlobRole,
  options: PullOptions,
): Promise<number> {
  const { digest, size } = descriptor;
  const report = options.onProgress;
  if (await store.blobs.has(digest)) {
    report?.({ kind: 'blob-done', role, digest, size, outcome: 'present' });
    return 0;
  }
  report?.({ kind: 'blob-start', role, digest, size });
  for (let attempt = 1; ; attempt++) {
    try {
      const body = await client.getBlob(repository, descriptor, {
        signal: options.signal,
        onBytes: report ? (received) => report({ kind: 'blob-progress', digest, received, size }) : undefined,
      });
      await store.blobs.put(body, { digest, size });
      report?.({ kind: 'blob-done', role, digest, size, outcome: 'fetched' });
      return size;
    } catch (err) {
      if (attempt >= BLOB_ATTEMPTS || !transient(err)) throw err;
      report?.({
        kind: 'blob-retry',
        digest,
        attempt,
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

async function resolveImageManifest(
  client: RegistryClient,
  ref: Reference,
  platform: Platform,
  store: RegistryStore,
  options: PullOptions,
): Promise<{
  resolvedDigest: Digest;
  manifest: RegistryImageManifest;
  descriptor: Descriptor;
  bytes: Buffer;
}> {
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const top = await client.getManifest(ref.repository, reference, options.signal);
  options.onProgress?.({
    kind: 'resolved',
    ref: formatReference(ref),
    digest: top.digest,
    mediaType: top.mediaType,
  });
  if (top.manifest.kind === 'image') {
    const descriptor = { mediaType: top.mediaType, digest: top.digest, size: top.bytes.length };
    return { resolvedDigest: top.digest, manifest: top.manifest, descriptor, bytes: top.bytes };
  }
  // Keep the index too, so the pulled image can be traced back to what the registry named.
  await store.blobs.put(top.bytes, { digest: top.digest, size: top.bytes.length });
  const chosen = selectPlatform(top.manifest, platform, `${ref.registry}/${ref.repository}@${top.digest}`);
  const image = await client.getManifest(ref.repository, chosen.digest, options.signal);
  if (image.manifest.kind !== 'image') {
    throw new TsbuildError(
      'REGISTRY',
      `${ref.registry}/${ref.repository}@${chosen.digest} is a nested index`,
      {
        hint: 'tsbuild follows one level of index; pull the platform manifest by digest instead',
      },
    );
  }
  const descriptor = { mediaType: image.mediaType, digest: image.digest, size: image.bytes.length };
  return { resolvedDigest: top.digest, manifest: image.manifest, descriptor, bytes: image.bytes };
}

export async function pullImage(
  store: RegistryStore,
  reference: Reference | string,
  options: PullOptions = {},
): Promise<PullResult> {
  const ref = typeof reference === 'string' ? parseReference(reference) : reference;
  const client = clientFor(ref.registry, options);
  const { resolvedDigest, manifest, descriptor, bytes } = await resolveImageManifest(
    client,
    ref,
    options.platform ?? DEFAULT_PLATFORM,
    store,
    options,
  );
  const fetched = await transferAll(
    [
      { role: 'config' as const, descriptor: manifest.config },
      ...manifest.layers.map((layer) => ({ role: 'layer' as const, descriptor: layer })),
    ],
    options,
    (job, signal) =>
      fetchBlob(client, store, ref.repository, job.descriptor, job.role, { ...options, signal }),
  );
  // Stored last: a manifest in the store promises that all it names is there too.
  await store.blobs.put(bytes, { digest: descriptor.digest, size: descriptor.size });
  await store.refs.set(ref, descriptor);
  return {
    ref,
    resolvedDigest,
    manifest: descriptor,
    config: manifest.config,
    layers: manifest.layers,
    bytesFetched: fetched.reduce((a, b) => a + b, 0),
  };
}
