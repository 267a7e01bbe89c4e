import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pack } from 'tar-stream';
import type { Compression } from '../compression/codecs.ts';
import { type Digest, digestHex } from '../digest.ts';
import { jsonBlob } from '../image.ts';
import { OCI_INDEX, OCI_MANIFEST } from '../media-types.ts';
import { familiarName, familiarRepository, formatReference, type Reference } from '../reference.ts';
import { ensureCompressed } from '../store/compressed.ts';
import { type ResolvedImage, resolveImage } from '../store/resolve.ts';
import type { ImageStore } from '../store/store.ts';
import { addPackEntry } from '../tar/pack-entry.ts';
import { createPack, type LayerHeader } from '../tar/pax.ts';
import type { Descriptor, ImageIndex, ImageManifest, Platform } from '../types.ts';

export interface SaveOptions {
  /** `docker`: what `docker load` reads (manifest.json + repositories, inside an OCI layout, as Docker 25+ writes). */
  readonly format: 'docker' | 'oci';
  readonly compression?: Compression | 'none';
  readonly level?: number;
  /** Timestamps of the archive's own entries; 0 (1970) when unset, so archives are reproducible. */
  readonly sourceDateEpoch?: number;
  readonly platform?: Platform;
}

export interface SavedImage {
  readonly names: readonly string[];
  readonly manifest: Descriptor;
  readonly id: Digest;
}

interface Planned {
  readonly resolved: ResolvedImage;
  readonly references: Reference[];
  readonly manifest: ReturnType<typeof jsonBlob<ImageManifest>>;
}

const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';

async function plan(store: ImageStore, names: readonly string[], options: SaveOptions): Promise<Planned[]> {
  const byManifest = new Map<Digest, { resolved: ResolvedImage; references: Reference[] }>();
  for (const name of names) {
    const resolved = await resolveImage(store, name, options.platform ? { platform: options.platform } : {});
    const entry = byManifest.get(resolved.manifestDescriptor.digest) ?? { resolved, references: [] };
    if (resolved.reference?.tag !== undefined) entry.references.push(resolved.reference);
    byManifest.set(resolved.manifestDescriptor.digest, entry);
  }
  const compression = options.compression ?? 'gzip';
  const planned: Planned[] = [];
  for (const { resolved, references } of byManifest.values()) {
    const layers: Descriptor[] = [];
    for (const layer of resolved.manifest.layers) {
      layers.push(
        compression === 'none'
          ? layer
          : await ensureCompressed(store, layer, {
              compression,
              ...(options.level === undefined ? {} : { level: options.level }),
            }),
      );
    }
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: resolved.manifest.config,
      layers,
      ...(resolved.manifest.annotations ? { annotations: resolved.manifest.annotations } : {}),
    };
    planned.push({ resolved, references, manifest: jsonBlob(manifest, OCI_MANIFEST) });
  }
  return planned;
}

function indexOf(planned: readonly Planned[]): ImageIndex {
  const manifests: Descriptor[] = [];
  for (const { manifest, references } of planned) {
    if (references.length === 0) manifests.push(manifest.descriptor);
    for (const ref of references) {
      manifests.push({
        ...manifest.descriptor,
        annotations: { [CONTAINERD_NAME]: formatReference(ref), [REF_NAME]: ref.tag ?? '' },
      });
    }
  }
  return { schemaVersion: 2, mediaType: OCI_INDEX, manifests };
}

/** Docker's manifest.json and the legacy `repositories` file, both pointing into blobs/. */
function dockerFiles(planned: readonly Planned[]) {
  const blobPath = (d: Digest) => `blobs/sha256/${digestHex(d)}`;
  const manifestJson = planned.map(({ manifest, references }) => ({
    Config: blobPath(manifest.value.config.digest),
    RepoTags: references.map((r) => familiarName(r)),
    Layers: manifest.value.layers.map((l) => blobPath(l.digest)),
  }));
  const repositories: Record<string, Record<string, string>> = {};
  for (const { resolved, references } of planned) {
    for (const ref of references) {
      const repo = familiarRepository(ref);
      repositories[repo] = { ...repositories[repo], [ref.tag ?? 'latest']: digestHex(resolved.id) };
    }
  }
  return { manifestJson, repositories };
}

/**
 * Writes several images into one tar archive on `out` (left open: the caller owns it). Layers are
 * compressed through the store's memo (gzip by default), so a second save reuses that work.
 */
export async function saveImages(
  store: ImageStore,
  names: readonly string[],
  out: Writable | NodeJS.WritableStream,
  options: SaveOptions,
): Promise<readonly SavedImage[]> {
  const planned = await plan(store, names, options);
  const mtime = new Date((options.sourceDateEpoch ?? 0) * 1000);
  const pack = createPack();
  const writing = pipeline(pack as unknown as NodeJS.ReadableStream, out, { end: false });
  writing.catch(() => undefined);
  const file = (name: string, body: string | Uint8Array) =>
    addPackEntry(pack, { name, type: 'file', mode: 0o100644, size: Buffer.byteLength(body), mtime }, [
      Buffer.from(body),
    ]);
  const dir = (name: string) => addPackEntry(pack, { name, type: 'directory', mode: 0o40755, mtime });
  try {
    await file('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await dir('blobs/');
    await dir('blobs/sha256/');
    await writeBlobs(store, pack, planned, mtime);
    await file('index.json', JSON.stringify(indexOf(planned)));
    if (options.format === 'docker') {
      const { manifestJson, repositories } = dockerFiles(planned);
      await file('manifest.json', JSON.stringify(manifestJson));
      await file('repositories', JSON.stringify(repositories));
    }
    pack.finalize();
  } catch (error) {
    pack.destroy(error as Error);
    throw error;
  }
  await writing;
  return planned.map((p) => ({
    names: p.references.map((r) => familiarName(r)),
    manifest: p.manifest.descriptor,
    id: p.resolved.id,
  }));
}

async function writeBlobs(
  store: ImageStore,
  pack: Pack,
  planned: readonly Planned[],
  mtime: Date,
): Promise<void> {
  const written = new Set<Digest>();
  const blob = async (d: Descriptor, bytes?: Uint8Array) => {
    if (written.has(d.digest)) return;
    written.add(d.digest);
    const header: LayerHeader = {
      name: `blobs/sha256/${digestHex(d.digest)}`,
      type: 'file',
      mode: 0o100644,
      size: d.size,
      mtime,
    };
    await addPackEntry(pack, header, bytes ? [bytes] : await store.blobs.open(d.digest));
  };
  for (const { manifest } of planned) {
    await blob(manifest.value.config);
    for (const layer of manifest.value.layers) await blob(layer);
    await blob(manifest.descriptor, manifest.bytes);
  }
}
