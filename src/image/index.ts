// The image module's public surface, listed on purpose (pinned by test/image/exports.test.ts):
// OCI values and references, layer tars, compression, the local store, archives.
export {
  type ImportOptions,
  type ImportResult,
  importRootfs,
} from './archive/import.ts';
export { type LoadedImage, type LoadOptions, loadArchive } from './archive/load.ts';
export { type SavedImage, type SaveOptions, saveImages } from './archive/save.ts';
export {
  type Compression,
  createCompressor,
  createDecompressor,
  DEFAULT_LEVEL,
  detectCompression,
  openDecompressed,
} from './compression/codecs.ts';
export { type CompressedLayer, type CompressionChoice, compressLayer } from './compression/compress.ts';
export { DEFAULT_MAX_LAYER_BYTES } from './compression/limit.ts';
export { createParallelGzip, type ParallelGzipOptions } from './compression/parallel-gzip.ts';
export {
  chainIdOf,
  createDigestCounter,
  createHashingStream,
  type Digest,
  type DigestCounter,
  digestFromHex,
  digestHex,
  digestOfStream,
  type HashingStream,
  isDigest,
  parseDigest,
  sha256OfBytes,
} from './digest.ts';
export {
  clampTimestamp,
  createdTimestamp,
  formatTimestamp,
  parseSourceDateEpoch,
  sourceDateEpochFromEnv,
} from './epoch.ts';
export {
  addEmptyLayerHistory,
  appendLayer,
  clampImageTimes,
  emptyImage,
  type Image,
  jsonBlob,
  type NewLayer,
  type SerializedBlob,
  type SerializedImage,
  serializeImage,
  withConfig,
  withContainerConfig,
} from './image.ts';
export {
  DOCKER_CONFIG,
  DOCKER_FOREIGN_LAYER_GZIP,
  DOCKER_LAYER,
  DOCKER_LAYER_GZIP,
  DOCKER_LAYER_ZSTD,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  isIndexMediaType,
  isManifestMediaType,
  type LayerCompression,
  layerCompressionOf,
  OCI_CONFIG,
  OCI_EMPTY,
  OCI_INDEX,
  OCI_LAYER,
  OCI_LAYER_GZIP,
  OCI_LAYER_ZSTD,
  OCI_MANIFEST,
  ociLayerMediaType,
} from './media-types.ts';
export { formatPlatform, hostPlatform, platformMatches } from './platform.ts';
export { readAhead } from './read-ahead.ts';
export {
  DEFAULT_REGISTRY,
  DEFAULT_TAG,
  familiarName,
  familiarRepository,
  formatReference,
  parseReference,
  type Reference,
  repositoryName,
  withTag,
} from './reference.ts';
export { sweepTempDir, writeFileAtomic } from './store/atomic.ts';
export type { BlobInfo, BlobStore, ExpectedBlob } from './store/blob-store.ts';
export { ensureCompressed } from './store/compressed.ts';
export { loadImage, putJson, readConfig, readIndex, readManifest, writeImage } from './store/documents.ts';
export { collectGarbage, type GcOptions, type GcResult, liveBlobs } from './store/gc.ts';
export {
  type HistoryRow,
  type ImageInspect,
  type ImageSummary,
  imageHistory,
  inspectImage,
  type LayerInfo,
  listImages,
} from './store/images.ts';
export { type StoredLayer, writeLayerBlob } from './store/layers.ts';
export type { RefEntry, RefStore } from './store/ref-store.ts';
export { type RemoveEvent, type RemoveOptions, removeImage } from './store/remove.ts';
export {
  manifestForPlatform,
  type ResolvedImage,
  type ResolveOptions,
  resolveImage,
  tagImage,
} from './store/resolve.ts';
export { type GcRootProvider, type GcRoots, type ImageStore, openImageStore } from './store/store.ts';
export { type ApplyLayerOptions, type ApplyLayerResult, applyLayer } from './tar/apply-layer.ts';
export { addPackEntry } from './tar/pack-entry.ts';
export { escapeFileName } from './tar/walk.ts';
export { type LayerResult, packLayer, type WriteLayerOptions, writeLayer } from './tar/write-layer.ts';
export type {
  ContainerConfig,
  Descriptor,
  Healthcheck,
  History,
  ImageConfig,
  ImageIndex,
  ImageManifest,
  Platform,
  RootFs,
} from './types.ts';
export { checkDescriptor, parseConfig, parseIndex, parseManifest } from './validate.ts';
