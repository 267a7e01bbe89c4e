import { type Digest, sha256OfBytes } from './digest.ts';
import { clampTimestamp, createdTimestamp } from './epoch.ts';
import { OCI_CONFIG, OCI_MANIFEST } from './media-types.ts';
import { hostPlatform } from './platform.ts';
import type { ContainerConfig, Descriptor, History, ImageConfig, ImageManifest, Platform } from './types.ts';

/**
 * An image as a value: its config and its layer descriptors. Every helper returns a new value;
 * the manifest is derived when the image is serialised, because it names the config by digest.
 */
export interface Image {
  readonly config: ImageConfig;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface NewLayer {
  /** How the layer blob is stored (in the local store: the uncompressed tar, digest = diffId). */
  readonly descriptor: Descriptor;
  /** sha256 of the uncompressed tar. */
  readonly diffId: Digest;
}

export function emptyImage(
  options: { readonly platform?: Platform; readonly sourceDateEpoch?: number; readonly now?: Date } = {},
): Image {
  const platform = options.platform ?? hostPlatform();
  return {
    config: {
      created: createdTimestamp(options.sourceDateEpoch, options.now),
      ...platform,
      config: {},
      rootfs: { type: 'layers', diff_ids: [] },
      history: [],
    },
    layers: [],
  };
}

/** Adds a layer and its history entry. */
export function appendLayer(
  image: Image,
  layer: NewLayer,
  history: Omit<History, 'empty_layer'> = {},
): Image {
  return {
    ...image,
    config: {
      ...image.config,
      rootfs: { type: 'layers', diff_ids: [...image.config.rootfs.diff_ids, layer.diffId] },
      history: [...(image.config.history ?? []), { ...history }],
    },
    layers: [...image.layers, layer.descriptor],
  };
}

/** Records a metadata-only step (ENV, CMD...) in the history. */
export function addEmptyLayerHistory(image: Image, history: Omit<History, 'empty_layer'>): Image {
  return {
    ...image,
    config: {
      ...image.config,
      history: [...(image.config.history ?? []), { ...history, empty_layer: true }],
    },
  };
}

export function withContainerConfig(
  image: Image,
  update: (current: ContainerConfig) => ContainerConfig,
): Image {
  return { ...image, config: { ...image.config, config: update(image.config.config ?? {}) } };
}

export function withConfig(image: Image, patch: Partial<Omit<ImageConfig, 'rootfs'>>): Image {
  return { ...image, config: { ...image.config, ...patch } };
}

/** Clamps `created` and every history timestamp to SOURCE_DATE_EPOCH. */
export function clampImageTimes(image: Image, sourceDateEpoch: number): Image {
  const created = clampTimestamp(image.config.created, sourceDateEpoch);
  const history = image.config.history?.map((h) => {
    const at = clampTimestamp(h.created, sourceDateEpoch);
    return at === undefined ? h : { ...h, created: at };
  });
  return {
    ...image,
    config: {
      ...image.config,
      ...(created === undefined ? {} : { created }),
      ...(history === undefined ? {} : { history }),
    },
  };
}

export interface SerializedBlob<T> {
  readonly value: T;
  readonly bytes: Uint8Array;
  readonly descriptor: Descriptor;
}

export interface SerializedImage {
  readonly config: SerializedBlob<ImageConfig>;
  readonly manifest: SerializedBlob<ImageManifest>;
}

/** JSON bytes of a document; compact and in insertion order, so equal values give equal digests. */
export function jsonBlob<T>(value: T, mediaType: string): SerializedBlob<T> {
  const bytes = Buffer.from(JSON.stringify(value));
  return { value, bytes, descriptor: { mediaType, digest: sha256OfBytes(bytes), size: bytes.byteLength } };
}

export function serializeImage(image: Image): SerializedImage {
  const config = jsonBlob(image.config, OCI_CONFIG);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: config.descriptor,
    layers: image.layers,
    ...(image.annotations ? { annotations: image.annotations } : {}),
  };
  return { config, manifest: jsonBlob(manifest, OCI_MANIFEST) };
}
