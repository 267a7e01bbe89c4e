import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Digest } from '../digest.ts';
import { createdTimestamp } from '../epoch.ts';
import { appendLayer, emptyImage, serializeImage, withContainerConfig } from '../image.ts';
import { parseReference, type Reference } from '../reference.ts';
import { tempPath } from '../store/atomic.ts';
import { writeImage } from '../store/documents.ts';
import { writeLayerBlob } from '../store/layers.ts';
import type { ImageStore } from '../store/store.ts';
import { applyLayer } from '../tar/apply-layer.ts';
import type { ContainerConfig, Descriptor, Platform } from '../types.ts';

export interface ImportOptions {
  readonly platform?: Platform;
  readonly sourceDateEpoch?: number;
  /** Container config for the image (CMD, ENV…), like `docker import --change`. */
  readonly config?: ContainerConfig;
  /** History comment; Docker writes "Imported from <source>". */
  readonly comment?: string;
  readonly signal?: AbortSignal;
}

export interface ImportResult {
  readonly reference: Reference;
  readonly manifest: Descriptor;
  /** Image ID (config digest). */
  readonly id: Digest;
}

/**
 * `docker import`: a root filesystem tarball (plain, gzip or zstd) becomes a one-layer image for
 * this host's platform, tagged `ref`. The tarball is unpacked safely and packed again, so the
 * stored layer is canonical (sorted, no `./` prefixes, nothing that escapes its root) whatever
 * tool made the input.
 */
export async function importRootfs(
  store: ImageStore,
  source: string | AsyncIterable<Uint8Array>,
  ref: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const reference = parseReference(ref);
  const scratch = tempPath(path.join(store.root, 'ingest'), 'import');
  await fsp.mkdir(scratch, { mode: 0o755 });
  try {
    const input = typeof source === 'string' ? createReadStream(source) : source;
    await applyLayer(input, scratch, options.signal ? { signal: options.signal } : {});
    const epoch = options.sourceDateEpoch;
    const layer = await writeLayerBlob(store, scratch, epoch === undefined ? {} : { sourceDateEpoch: epoch });
    let image = emptyImage({
      ...(options.platform ? { platform: options.platform } : {}),
      ...(epoch === undefined ? {} : { sourceDateEpoch: epoch }),
    });
    image = appendLayer(image, layer, {
      created: createdTimestamp(epoch),
      created_by: 'tsbuild import',
      comment: options.comment ?? `Imported from ${typeof source === 'string' ? path.basename(source) : '-'}`,
    });
    if (options.config) image = withContainerConfig(image, () => options.config ?? {});
    const manifest = await writeImage(store, image);
    await store.refs.set(reference, manifest);
    return { reference, manifest, id: serializeImage(image).config.descriptor.digest };
  } finally {
    await fsp.rm(scratch, { recursive: true, force: true });
  }
}
