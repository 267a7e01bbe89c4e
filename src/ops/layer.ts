/**
 * Ending a layer-making step: an upper dir with no changes makes no layer;
 * otherwise it becomes an uncompressed layer blob, the snapshot is committed
 * under its chain id, and only then is the cache record written, so a record
 * never points at something incomplete.
 */
import { readdir } from 'node:fs/promises';
import type { ActiveSnapshot } from '../executor/index.ts';
import { writeLayerBlob } from '../image/index.ts';
import { chainIdOf } from './rootfs.ts';
import type { OpServices } from './services.ts';
import type { StateResult } from './types.ts';

export interface FinishOptions {
  readonly key: string;
  readonly signal: AbortSignal;
  readonly sourceDateEpoch?: number;
  /** The definition the key was made from, kept for `--explain`. */
  readonly definition: unknown;
  readonly description: string;
}

export async function finishLayer(
  services: OpServices,
  active: ActiveSnapshot,
  parent: StateResult,
  parentSnapshot: string | undefined,
  options: FinishOptions,
): Promise<StateResult> {
  let result: StateResult;
  try {
    options.signal.throwIfAborted();
    if ((await readdir(active.upperDir)).length === 0) {
      await active.abort();
      result = {
        layers: parent.layers,
        ...(parentSnapshot !== undefined && { snapshotId: parentSnapshot }),
        stepLayers: [...parent.stepLayers, false],
      };
    } else {
      const blob = await writeLayerBlob(services.store, active.upperDir, {
        ...(options.sourceDateEpoch !== undefined && { sourceDateEpoch: options.sourceDateEpoch }),
      });
      const { mediaType, digest, size } = blob.descriptor;
      const layers = [...parent.layers, { mediaType, digest, diffId: blob.diffId, size }];
      options.signal.throwIfAborted();
      const snapshotId = await active.commit({ chainId: chainIdOf(layers.map((l) => l.diffId))! });
      result = { layers, snapshotId, stepLayers: [...parent.stepLayers, true] };
    }
  } catch (err) {
    await active.abort().catch(() => undefined);
    throw err;
  }
  options.signal.throwIfAborted();
  await services.cache.put(options.key, {
    result,
    definition: options.definition,
    description: options.description,
  });
  return result;
}

/** A recorded result for `key`, or undefined. */
export async function loadRecord(services: OpServices, key: string): Promise<StateResult | undefined> {
  const record = await services.cache.get(key);
  return record === undefined ? undefined : (record.result as StateResult);
}
