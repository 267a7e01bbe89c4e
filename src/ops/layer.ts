/**
 * Ending a layer-making step: an upper dir with no changes makes no layer;
 * otherwise it becomes an uncompressed layer blob, the snapshot is committed
 * under its chain id, and only then is the cache record written, so a record
 * never points at something incomplete.
 */
import { readdir } from 'node:fs/promises';
import { type CacheDefinition, type ContentManifest, explainMiss } from '../cache/index.ts';
import type { ActiveSnapshot } from '../executor/index.ts';
import { chainIdOf, writeLayerBlob } from '../image/index.ts';
import type { OpServices } from './services.ts';
import type { StateResult } from './types.ts';

export interface FinishOptions {
  readonly key: string;
  readonly signal: AbortSignal;
  readonly sourceDateEpoch?: number;
  /** The definition the key was made from, kept for `--explain`. */
  readonly definition: unknown;
  readonly description: string;
  readonly inputKeys: readonly string[];
  /** Where the step sits in its Dockerfile, so `--explain` finds the step's last record. */
  readonly slot?: string;
  /** COPY/ADD: the checksum manifest behind the key. */
  readonly content?: ContentManifest;
  /** The step's time for the image history (default: now). */
  readonly now?: string;
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
        stepTimes: [...parent.stepTimes, options.now ?? new Date().toISOString()],
      };
    } else {
      const blob = await writeLayerBlob(services.store, active.upperDir, {
        ...(options.sourceDateEpoch !== undefined && { sourceDateEpoch: options.sourceDateEpoch }),
      });
      const { mediaType, digest, size } = blob.descriptor;
      const layers = [...parent.layers, { mediaType, digest, diffId: blob.diffId, size }];
      options.signal.throwIfAborted();
      const snapshotId = await active.commit({ chainId: chainIdOf(layers.map((l) => l.diffId))! });
      result = {
        layers,
        snapshotId,
        stepLayers: [...parent.stepLayers, true],
        stepTimes: [...parent.stepTimes, options.now ?? new Date().toISOString()],
      };
    }
  } catch (err) {
    await active.abort().catch(() => undefined);
    throw err;
  }
  options.signal.throwIfAborted();
  const layer = result.stepLayers.at(-1) === true ? result.layers.at(-1) : undefined;
  await services.cache.put(options.key, {
    result,
    definition: options.definition,
    description: options.description,
    inputKeys: options.inputKeys,
    ...(options.slot !== undefined && { slot: options.slot }),
    ...(options.content !== undefined && { content: options.content }),
    ...(result.snapshotId !== undefined && { snapshotId: result.snapshotId }),
    ...(layer !== undefined && { layer: { digest: layer.digest, diffId: layer.diffId, size: layer.size } }),
  });
  return result;
}

/** A recorded result for `key`, or undefined; a hit marks the record used (LRU). */
export async function loadRecord(services: OpServices, key: string): Promise<StateResult | undefined> {
  const record = await services.cache.get(key);
  if (record === undefined) return undefined;
  await services.cache.touch(key);
  return record.result as StateResult;
}

/** Why a step missed, from the nearest record of the same inputs or slot. */
export function explainStep(
  services: OpServices,
  query: {
    definition: CacheDefinition;
    inputKeys: readonly string[];
    description: string;
    slot?: string;
    content?: ContentManifest;
  },
): Promise<string> {
  return explainMiss(services.cache, query);
}
