// The image module's public surface: OCI values, layers, compression, the local store, archives.

export * from './archive/import.ts';
export * from './archive/load.ts';
export * from './archive/save.ts';
export * from './compression/codecs.ts';
export * from './compression/compress.ts';
export * from './compression/parallel-gzip.ts';
export * from './digest.ts';
export * from './epoch.ts';
export * from './image.ts';
export * from './media-types.ts';
export * from './platform.ts';
export * from './reference.ts';
export * from './store/blob-store.ts';
export * from './store/compressed.ts';
export * from './store/documents.ts';
export * from './store/gc.ts';
export * from './store/images.ts';
export * from './store/layers.ts';
export * from './store/ref-store.ts';
export * from './store/remove.ts';
export * from './store/resolve.ts';
export * from './store/store.ts';
export * from './tar/apply-layer.ts';
export * from './tar/write-layer.ts';
export type * from './types.ts';
export * from './validate.ts';
