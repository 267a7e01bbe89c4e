import type { Digest } from '../digest.ts';
import { OCI_LAYER } from '../media-types.ts';
import { packLayer, type WriteLayerOptions } from '../tar/write-layer.ts';
import type { Descriptor } from '../types.ts';
import type { ImageStore } from './store.ts';

export interface StoredLayer {
  /** Descriptor of the uncompressed layer blob (digest = diffId). */
  readonly descriptor: Descriptor;
  readonly diffId: Digest;
}

/**
 * Writes the layer tar of a snapshot dir straight into the store in one pass: the tar is hashed
 * as it is written to `ingest/`, so its digest is known when it lands in `blobs/`.
 */
export async function writeLayerBlob(
  store: ImageStore,
  dir: string,
  options: WriteLayerOptions = {},
): Promise<StoredLayer> {
  const { digest, size } = await store.blobs.put(packLayer(dir, options));
  return { descriptor: { mediaType: OCI_LAYER, digest, size }, diffId: digest };
}
