/**
 * What the registry client needs from the local image store: the image module's ImageStore
 * satisfies it as it is.
 */
import type { LayerCompression } from '../image/media-types.ts';
import type { BlobStore } from '../image/store/blob-store.ts';
import type { RefStore } from '../image/store/ref-store.ts';
import type { Descriptor } from '../image/types.ts';

export interface RegistryStore {
  /** Verifying, content-addressed blob storage (put checks digest and size while writing). */
  readonly blobs: Pick<BlobStore, 'has' | 'put' | 'open' | 'read'>;
  /** Names → manifest descriptors (a reference without tag is recorded by its digest). */
  readonly refs: Pick<RefStore, 'get' | 'set'>;
}

export interface CompressionChoice {
  readonly compression: Exclude<LayerCompression, 'none'>;
  readonly level?: number;
}

/**
 * Gives the compressed form of a stored layer, compressing it (once, memoised by the store) when
 * only the uncompressed tar is there. A layer already compressed is returned as it is.
 */
export type EnsureCompressed = (layer: Descriptor, choice: CompressionChoice) => Promise<Descriptor>;
