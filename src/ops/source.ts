/**
 * Source ops: where a stage starts. An image is identified by its manifest
 * digest (resolved by the build before planning), so its key changes exactly
 * when the image does; its files are materialised only if a step needs them.
 */
import { computeCacheKey } from '../cache/index.ts';
import { type Digest, loadImage, parseDigest } from '../image/index.ts';
import type { Op } from '../solver/index.ts';
import type { OpServices } from './services.ts';
import { EMPTY_STATE, type StateResult } from './types.ts';

export async function imageState(services: OpServices, manifestDigest: Digest): Promise<StateResult> {
  const { image } = await loadImage(services.store, manifestDigest);
  const diffIds = image.config.rootfs.diff_ids;
  return {
    layers: image.layers.map((l, i) => ({
      mediaType: l.mediaType,
      digest: l.digest,
      diffId: diffIds[i]!,
      size: l.size,
    })),
    stepLayers: [],
    stepTimes: [],
  };
}

export function createImageSourceOp(manifestDigest: string, services: OpServices): Op<StateResult> {
  const digest = parseDigest(manifestDigest);
  return {
    cacheKey: async () => computeCacheKey({ op: 'source', image: digest }, []),
    load: () => imageState(services, digest),
    run: () => imageState(services, digest),
  };
}

export function createScratchOp(): Op<StateResult> {
  return {
    cacheKey: async () => computeCacheKey({ op: 'source', image: 'scratch' }, []),
    load: async () => EMPTY_STATE,
    run: async () => EMPTY_STATE,
  };
}
