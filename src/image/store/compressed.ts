import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { TsbuildError } from '../../errors.ts';
import { DEFAULT_LEVEL } from '../compression/codecs.ts';
import { type CompressionChoice, compressLayer } from '../compression/compress.ts';
import { digestHex, isDigest } from '../digest.ts';
import { layerCompressionOf, ociLayerMediaType } from '../media-types.ts';
import type { Descriptor } from '../types.ts';
import { writeFileAtomic } from './atomic.ts';
import type { ImageStore } from './store.ts';

/** Compressions running in this process, so concurrent exports of one layer compress it once. */
const inFlight = new Map<string, Promise<Descriptor>>();

function memoPath(store: ImageStore, layer: Descriptor, choice: CompressionChoice): string {
  const level = choice.level ?? DEFAULT_LEVEL[choice.compression];
  return path.join(store.root, 'compressed', `${choice.compression}-${level}`, digestHex(layer.digest));
}

async function readMemo(store: ImageStore, file: string): Promise<Descriptor | undefined> {
  let memo: Descriptor;
  try {
    memo = JSON.parse(await fsp.readFile(file, 'utf8')) as Descriptor;
  } catch {
    return undefined;
  }
  if (!isDigest(memo.digest) || !(await store.blobs.has(memo.digest))) return undefined;
  return memo;
}

async function compressOnce(
  store: ImageStore,
  layer: Descriptor,
  choice: CompressionChoice,
): Promise<Descriptor> {
  const memoFile = memoPath(store, layer, choice);
  const memo = await readMemo(store, memoFile);
  if (memo) return memo;
  const job = compressLayer(await store.blobs.open(layer.digest), choice);
  const { digest, size } = await store.blobs.put(job.stream);
  await job.done;
  if (job.result().diffId !== layer.digest) {
    throw new TsbuildError(
      'DIGEST_MISMATCH',
      `stored layer ${layer.digest} is corrupt: its content hashes differently`,
      {
        hint: 'remove the image and pull, load or build it again',
      },
    );
  }
  const descriptor: Descriptor = { mediaType: ociLayerMediaType(choice.compression), digest, size };
  await writeFileAtomic(path.join(store.root, 'ingest'), memoFile, JSON.stringify(descriptor));
  return descriptor;
}

/**
 * The compressed form of a stored layer, made at most once per (diff_id, algorithm, level) and
 * kept: the memo under `compressed/` names the compressed blob for the next export or push. A layer
 * that is already compressed is returned as it is.
 */
export async function ensureCompressed(
  store: ImageStore,
  layer: Descriptor,
  choice: CompressionChoice,
): Promise<Descriptor> {
  if (layerCompressionOf(layer.mediaType) !== 'none') return layer;
  const key = `${memoPath(store, layer, choice)}`;
  const running = inFlight.get(key);
  if (running) return running;
  const job = compressOnce(store, layer, choice).finally(() => inFlight.delete(key));
  inFlight.set(key, job);
  return job;
}
