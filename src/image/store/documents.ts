import { TsbuildError } from '../../errors.ts';
import type { Digest } from '../digest.ts';
import { type Image, jsonBlob, serializeImage } from '../image.ts';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from '../types.ts';
import { parseConfig, parseIndex, parseManifest } from '../validate.ts';
import type { ImageStore } from './store.ts';

export async function putJson(store: ImageStore, value: unknown, mediaType: string): Promise<Descriptor> {
  const blob = jsonBlob(value, mediaType);
  await store.blobs.put(blob.bytes, blob.descriptor);
  return blob.descriptor;
}

export async function readManifest(store: ImageStore, digest: Digest): Promise<ImageManifest> {
  return parseManifest(await store.blobs.read(digest), `manifest ${digest}`);
}

export async function readIndex(store: ImageStore, digest: Digest): Promise<ImageIndex> {
  return parseIndex(await store.blobs.read(digest), `index ${digest}`);
}

export async function readConfig(store: ImageStore, digest: Digest): Promise<ImageConfig> {
  return parseConfig(await store.blobs.read(digest), `image config ${digest}`);
}

/**
 * Stores an image's config and manifest (its layer blobs must already be in the store) and returns
 * the manifest descriptor, which is what tags point at.
 */
export async function writeImage(store: ImageStore, image: Image): Promise<Descriptor> {
  for (const layer of image.layers) {
    if (!(await store.blobs.has(layer.digest))) {
      throw new TsbuildError('STORE', `cannot store image: its layer ${layer.digest} is not in the store`, {
        hint: 'write the layer blob (writeLayerBlob) before the image that uses it',
      });
    }
  }
  const { config, manifest } = serializeImage(image);
  await store.blobs.put(config.bytes, config.descriptor);
  await store.blobs.put(manifest.bytes, manifest.descriptor);
  return manifest.descriptor;
}

/** Reads a stored manifest and its config back into an image value. */
export async function loadImage(
  store: ImageStore,
  manifestDigest: Digest,
): Promise<{ readonly image: Image; readonly manifest: ImageManifest }> {
  const manifest = await readManifest(store, manifestDigest);
  const config = await readConfig(store, manifest.config.digest);
  const image: Image = {
    config,
    layers: manifest.layers,
    ...(manifest.annotations ? { annotations: manifest.annotations } : {}),
  };
  return { image, manifest };
}
