/**
 * What an export carries: the build's cache records (all of them for mode=max, those on the
 * built image's chain for mode=min) with machine-local fields removed, the layers they need,
 * and optionally the cache-mount directories packed as layer tars.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type Digest, type ImageStore, writeLayerBlob } from '../../image/index.ts';
import { storeDirs } from '../gc/du.ts';
import type { CacheStore } from '../records.ts';
import {
  type ExportedMount,
  type ExportedRecord,
  isLayeredResult,
  type LayeredResult,
  type ResultLayer,
} from './format.ts';
import type { CacheMode } from './spec.ts';

export interface Collected {
  readonly records: readonly ExportedRecord[];
  readonly mounts: readonly ExportedMount[];
  /** Every layer the records and mounts need, as stored locally, by diff id (bottom first). */
  readonly layers: ReadonlyMap<Digest, ResultLayer>;
}

export interface CollectOptions {
  readonly mode: CacheMode;
  readonly cacheMounts: boolean;
  /** Keys the build resolved, in any order. */
  readonly keys: readonly string[];
  /** Diff ids of the built image: mode=min keeps records whose layers are a prefix of these. */
  readonly imageDiffIds: readonly string[];
}

function isPrefix(layers: readonly ResultLayer[], of: readonly string[]): boolean {
  return layers.length <= of.length && layers.every((l, i) => l.diffId === of[i]);
}

/** A result as another machine can use it: no snapshot id, which only means something here. */
function portable(result: LayeredResult): LayeredResult {
  const { snapshotId: _local, ...rest } = result;
  return rest;
}

export async function collectRecords(
  cache: CacheStore,
  store: ImageStore,
  options: CollectOptions,
): Promise<Collected> {
  const records: ExportedRecord[] = [];
  const layers = new Map<Digest, ResultLayer>();
  for (const key of [...new Set(options.keys)].sort()) {
    const record = await cache.get(key);
    if (record === undefined || !isLayeredResult(record.result)) continue;
    if (options.mode === 'min' && !isPrefix(record.result.layers, options.imageDiffIds)) continue;
    for (const layer of record.result.layers) layers.set(layer.diffId, layer);
    records.push({
      key,
      result: portable(record.result),
      ...(record.definition !== undefined && { definition: record.definition }),
      ...(record.description !== undefined && { description: record.description }),
      ...(record.inputKeys !== undefined && { inputKeys: record.inputKeys }),
      ...(record.slot !== undefined && { slot: record.slot }),
    });
  }
  const mounts = options.cacheMounts ? await packMounts(store, layers) : [];
  return { records, mounts, layers };
}

/** Instance 0 of each cache mount (the one `sharing=shared` and `locked` use) as a layer tar. */
async function packMounts(store: ImageStore, layers: Map<Digest, ResultLayer>): Promise<ExportedMount[]> {
  const base = storeDirs(store.root).mounts;
  const out: ExportedMount[] = [];
  for (const dir of (await readdir(base).catch(() => [] as string[])).sort()) {
    const instance = path.join(base, dir, '0');
    if (!/^[0-9a-f]{32}$/.test(dir) || !(await stat(instance).catch(() => undefined))?.isDirectory())
      continue;
    const id = (await readFile(path.join(base, dir, 'id'), 'utf8').catch(() => dir)).trim();
    const blob = await writeLayerBlob(store, instance);
    layers.set(blob.diffId, { ...blob.descriptor, diffId: blob.diffId });
    out.push({ dir, id, diffId: blob.diffId });
  }
  return out;
}
