import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { TsbuildError } from '../../errors.ts';
import { openDecompressed } from '../compression/codecs.ts';
import { createByteLimit, DEFAULT_MAX_LAYER_BYTES } from '../compression/limit.ts';
import { type Digest, digestFromHex } from '../digest.ts';
import { OCI_CONFIG, OCI_LAYER, OCI_MANIFEST } from '../media-types.ts';
import { familiarName, parseReference, type Reference } from '../reference.ts';
import { putJson, readConfig, readManifest } from '../store/documents.ts';
import { manifestForPlatform } from '../store/resolve.ts';
import type { ImageStore } from '../store/store.ts';
import { createExtract } from '../tar/pax.ts';
import type { Descriptor, ImageConfig, ImageManifest, Platform } from '../types.ts';
import { checkDescriptor, parseIndex } from '../validate.ts';

export interface LoadOptions {
  /** For archives holding multi-platform indexes; default: this host's platform. */
  readonly platform?: Platform;
  /** Most bytes one compressed layer may expand to; default 64 GiB. */
  readonly maxLayerBytes?: number;
}

export interface LoadedImage {
  /** Familiar names tagged in the store (`busybox:latest`); empty for an unnamed image. */
  readonly names: readonly string[];
  /** The stored manifest (layers uncompressed, as the local store keeps them). */
  readonly manifest: Descriptor;
  readonly id: Digest;
}

interface ArchiveFiles {
  readonly files: Map<string, { readonly digest: Digest; readonly size: number }>;
  readonly links: Map<string, string>;
}

function bad(what: string): TsbuildError {
  return new TsbuildError('IMAGE', `not a loadable image archive: ${what}`, {
    hint: 'give a tar written by `docker save`, `tsbuild save` or `skopeo copy … oci-archive:` (gzip is fine)',
  });
}

/** Streams every file of the archive into the store: blobs/sha256/<hex> verified against <hex>. */
async function ingest(store: ImageStore, source: AsyncIterable<Uint8Array>): Promise<ArchiveFiles> {
  const files: ArchiveFiles['files'] = new Map();
  const links: ArchiveFiles['links'] = new Map();
  const { stream } = await openDecompressed(source);
  const extract = createExtract();
  const feeding = pipeline(stream, extract as unknown as NodeJS.WritableStream);
  feeding.catch(() => undefined);
  for await (const entry of extract) {
    const name = path.posix.normalize(entry.header.name.replace(/^(\.\/|\/)+/, ''));
    const { type } = entry.header;
    if (type === 'file' || type === 'contiguous-file') {
      const hex = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(name)?.[1];
      const expected = hex
        ? { digest: digestFromHex(hex), size: entry.header.size }
        : { size: entry.header.size };
      files.set(name, await store.blobs.put(entry as AsyncIterable<Uint8Array>, expected));
    } else {
      if (type === 'symlink' || type === 'link') links.set(name, entry.header.linkname);
      entry.resume();
    }
  }
  await feeding;
  return { files, links };
}

function lookup(archive: ArchiveFiles, name: string): { readonly digest: Digest; readonly size: number } {
  let current = path.posix.normalize(name);
  for (let hops = 0; hops < 10; hops++) {
    const file = archive.files.get(current);
    if (file) return file;
    const link = archive.links.get(current);
    if (link === undefined) break;
    // Legacy `docker save` shares layers through symlinks relative to the link's directory.
    current = path.posix.normalize(
      link.startsWith('/') ? link.slice(1) : path.posix.join(path.posix.dirname(current), link),
    );
  }
  throw bad(`it names "${name}", which it does not contain`);
}

/** The uncompressed layer for the store, checked against the config's diff_id. */
async function localLayer(
  store: ImageStore,
  blob: Digest,
  diffId: Digest | undefined,
  maxBytes: number,
): Promise<Descriptor> {
  if (diffId === undefined) throw bad('an image has more layers than its config has diff_ids');
  if (blob === diffId) return { mediaType: OCI_LAYER, digest: diffId, size: await store.blobs.size(diffId) };
  if (!(await store.blobs.has(diffId))) {
    const { stream } = await openDecompressed(await store.blobs.open(blob));
    await store.blobs.put(stream.pipe(createByteLimit(maxBytes)), { digest: diffId });
  }
  return { mediaType: OCI_LAYER, digest: diffId, size: await store.blobs.size(diffId) };
}

async function storeImage(
  store: ImageStore,
  config: Descriptor,
  layerBlobs: readonly Digest[],
  references: readonly Reference[],
  options: LoadOptions,
): Promise<LoadedImage> {
  const parsed: ImageConfig = await readConfig(store, config.digest);
  if (parsed.rootfs.diff_ids.length !== layerBlobs.length) {
    throw bad(
      `image ${config.digest} has ${layerBlobs.length} layers but ${parsed.rootfs.diff_ids.length} diff_ids`,
    );
  }
  const layers: Descriptor[] = [];
  for (const [i, blob] of layerBlobs.entries())
    layers.push(
      await localLayer(
        store,
        blob,
        parsed.rootfs.diff_ids[i],
        options.maxLayerBytes ?? DEFAULT_MAX_LAYER_BYTES,
      ),
    );
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
    layers,
  };
  const descriptor = await putJson(store, manifest, OCI_MANIFEST);
  for (const ref of references) await store.refs.set(ref, descriptor);
  return { names: references.map((r) => familiarName(r)), manifest: descriptor, id: config.digest };
}

async function loadDocker(
  store: ImageStore,
  archive: ArchiveFiles,
  options: LoadOptions,
): Promise<LoadedImage[]> {
  const list = JSON.parse(
    (await store.blobs.read(lookup(archive, 'manifest.json').digest)).toString(),
  ) as unknown;
  if (!Array.isArray(list)) throw bad('manifest.json is not a list');
  const loaded: LoadedImage[] = [];
  for (const item of list as { Config?: unknown; RepoTags?: unknown; Layers?: unknown }[]) {
    if (typeof item.Config !== 'string' || !Array.isArray(item.Layers))
      throw bad('a manifest.json entry lacks Config or Layers');
    const config = lookup(archive, item.Config);
    const layers = item.Layers.map((l) => lookup(archive, String(l)).digest);
    const tags = Array.isArray(item.RepoTags) ? item.RepoTags.map((t) => parseReference(String(t))) : [];
    loaded.push(await storeImage(store, { mediaType: OCI_CONFIG, ...config }, layers, tags, options));
  }
  return loaded;
}

/** Names from an OCI index entry: containerd's full name first, else a ref.name that is a full name. */
function namesOf(descriptor: Descriptor): Reference[] {
  const full = descriptor.annotations?.['io.containerd.image.name'];
  const refName = descriptor.annotations?.['org.opencontainers.image.ref.name'];
  const name = full ?? (refName && /[/:]/.test(refName) ? refName : undefined);
  return name ? [parseReference(name)] : [];
}

async function loadOci(
  store: ImageStore,
  archive: ArchiveFiles,
  options: LoadOptions,
): Promise<LoadedImage[]> {
  const index = parseIndex(await store.blobs.read(lookup(archive, 'index.json').digest), 'index.json');
  const loaded: LoadedImage[] = [];
  for (const entry of index.manifests) {
    const chosen = await manifestForPlatform(store, checkDescriptor(entry, 'index.json'), options.platform);
    const manifest = await readManifest(store, chosen.digest);
    const image = await storeImage(
      store,
      manifest.config,
      manifest.layers.map((l) => l.digest),
      namesOf(entry),
      options,
    );
    loaded.push(image);
  }
  return loaded;
}

/**
 * `docker load`: reads a Docker (`manifest.json`) or OCI (`index.json`) image archive, gzip'd or
 * not, verifying every blob against its digest and every layer against its diff_id, and tags the
 * names it carries. Layers land uncompressed, as the local store keeps them.
 */
export async function loadArchive(
  store: ImageStore,
  source: string | AsyncIterable<Uint8Array>,
  options: LoadOptions = {},
): Promise<readonly LoadedImage[]> {
  const archive = await ingest(store, typeof source === 'string' ? createReadStream(source) : source);
  if (archive.files.has('manifest.json')) return loadDocker(store, archive, options);
  if (archive.files.has('index.json')) return loadOci(store, archive, options);
  throw bad('it has neither manifest.json (Docker) nor index.json (OCI)');
}
