/**
 * Image commands as library functions over one store: what `tsbuild images`,
 * `tag`, `inspect` and `history` do, callable by build servers too.
 */
import { defaultRoot } from './builder/services.ts';
import { cacheBlobRoots, openCacheStore, withLease } from './cache/index.ts';
import {
  familiarName,
  type HistoryRow,
  type ImageInspect,
  type ImageStore,
  type ImageSummary,
  imageHistory,
  importRootfs,
  inspectImage,
  type LoadedImage,
  listImages,
  loadArchive,
  openImageStore,
  parseDigest,
  parseReference,
  type RemoveEvent,
  removeImage,
  resolveImage,
  type SavedImage,
  saveImages,
  tagImage,
} from './image/index.ts';

export type { HistoryRow, ImageInspect, ImageSummary, LoadedImage, RemoveEvent, SavedImage };

export interface StoreOptions {
  /** Store root; same default as builds. */
  readonly root?: string;
}

/**
 * The image store at `options.root`, with the cache records' blobs declared as GC roots, so that
 * removing an image never deletes a layer a cache record still needs.
 */
export async function openStore(options: StoreOptions = {}): Promise<ImageStore> {
  const store = await openImageStore(options.root ?? defaultRoot());
  const roots = cacheBlobRoots(await openCacheStore(store.root));
  store.gcRoots.register('cache', async () => (await roots()).map((d) => parseDigest(d)));
  return store;
}

export async function images(options: StoreOptions = {}): Promise<readonly ImageSummary[]> {
  return listImages(await openStore(options));
}

/** Runs an operation that writes blobs before it tags them under a lease, so GC spares them meanwhile. */
export function underLease<T>(options: StoreOptions, work: () => Promise<T>): Promise<T> {
  return withLease(options.root ?? defaultRoot(), work);
}

export async function tag(source: string, target: string, options: StoreOptions = {}): Promise<string> {
  return familiarName(await tagImage(await openStore(options), source, target));
}

export async function inspect(name: string, options: StoreOptions = {}): Promise<ImageInspect> {
  return inspectImage(await openStore(options), name);
}

export async function history(name: string, options: StoreOptions = {}): Promise<readonly HistoryRow[]> {
  return imageHistory(await openStore(options), name);
}

/**
 * Copies one image (this platform's manifest, its config and layers) from the store at `from`
 * to the store at `to` under the same name; blobs already there are not copied again.
 */
export function copyImage(name: string, from: StoreOptions, to: StoreOptions): Promise<void> {
  return underLease(to, async () => {
    const [source, target] = await Promise.all([openStore(from), openStore(to)]);
    const resolved = await resolveImage(source, name);
    const { manifest, manifestDescriptor } = resolved;
    for (const blob of [manifest.config, ...manifest.layers, manifestDescriptor]) {
      if (await target.blobs.has(blob.digest)) continue;
      await target.blobs.put(await source.blobs.open(blob.digest), { digest: blob.digest, size: blob.size });
    }
    await target.refs.set(resolved.reference ?? parseReference(name), manifestDescriptor);
  });
}

export interface ImportImageOptions extends StoreOptions {
  /** History comment (default: "Imported from <file>"). */
  readonly message?: string;
  readonly sourceDateEpoch?: number;
  readonly signal?: AbortSignal;
}

/** `tsbuild import`: a root filesystem tarball (file path or stream) becomes image `name`; returns its ID. */
export async function importImage(
  source: string | AsyncIterable<Uint8Array>,
  name: string,
  options: ImportImageOptions = {},
): Promise<string> {
  const result = await underLease(options, async () =>
    importRootfs(await openStore(options), source, name, {
      ...(options.message !== undefined && { comment: options.message }),
      ...(options.sourceDateEpoch !== undefined && { sourceDateEpoch: options.sourceDateEpoch }),
      ...(options.signal !== undefined && { signal: options.signal }),
    }),
  );
  return result.id;
}

/** `tsbuild rmi`: untags each name (or every name of an ID) and frees blobs nothing else needs. */
export async function rmi(
  names: readonly string[],
  options: StoreOptions & { readonly force?: boolean } = {},
): Promise<readonly RemoveEvent[]> {
  const store = await openStore(options);
  const events: RemoveEvent[] = [];
  for (const name of names)
    events.push(...(await removeImage(store, name, { force: options.force === true })));
  return events;
}

export interface SaveArchiveOptions extends StoreOptions {
  readonly format: 'docker' | 'oci';
  readonly compression?: 'gzip' | 'zstd' | 'none';
  readonly compressionLevel?: number;
  readonly sourceDateEpoch?: number;
}

/** `tsbuild save`: images into one docker-load or OCI-layout tar written to `out`. */
export async function save(
  names: readonly string[],
  out: NodeJS.WritableStream,
  options: SaveArchiveOptions,
): Promise<readonly SavedImage[]> {
  return saveImages(await openStore(options), names, out, {
    format: options.format,
    ...(options.compression !== undefined && { compression: options.compression }),
    ...(options.compressionLevel !== undefined && { level: options.compressionLevel }),
    ...(options.sourceDateEpoch !== undefined && { sourceDateEpoch: options.sourceDateEpoch }),
  });
}

/** `tsbuild load`: the images of a docker-save or OCI archive (file path or stream) into the store. */
export async function load(
  source: string | AsyncIterable<Uint8Array>,
  options: StoreOptions = {},
): Promise<readonly LoadedImage[]> {
  return underLease(options, async () => loadArchive(await openStore(options), source));
}
