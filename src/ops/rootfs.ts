/**
 * Materialising a filesystem state as a snapshot: reuse the recorded one,
 * else one with the same chain id, else apply the layer blobs in order into a
 * fresh snapshot (flattened, so no whiteout devices are ever created).
 */
import { TsbuildError } from '../errors.ts';
import { applyLayer, chainIdOf } from '../image/index.ts';
import type { OpServices } from './services.ts';
import type { StateResult } from './types.ts';

const inFlight = new Map<string, Promise<string>>();

async function exists(services: OpServices, id: string): Promise<boolean> {
  try {
    const info = await services.snapshotter.get(id);
    return info.state === 'committed';
  } catch {
    return false;
  }
}

async function flatten(services: OpServices, state: StateResult, chainId: string): Promise<string> {
  const found = await services.snapshotter.findByChainId(chainId);
  if (found !== undefined) return found.id;
  const active = await services.snapshotter.prepare(undefined);
  try {
    for (const layer of state.layers) {
      const applied = await applyLayer(await services.store.blobs.open(layer.digest), active.upperDir);
      // The config's diff_id is what the image promises; a blob that unpacks to other bytes is refused.
      if (applied.diffId !== layer.diffId) {
        throw new TsbuildError(
          'DIGEST_MISMATCH',
          `layer ${layer.digest} unpacks to ${applied.diffId}, but the image says ${layer.diffId}`,
          {
            hint: 'the image is corrupt or was tampered with; pull or load it again',
          },
        );
      }
    }
    return await active.commit({ chainId });
  } catch (err) {
    await active.abort();
    throw err;
  }
}

/** The snapshot holding `state`'s files, created if needed; undefined for an empty filesystem. */
export async function ensureSnapshot(services: OpServices, state: StateResult): Promise<string | undefined> {
  if (state.layers.length === 0) return undefined;
  if (state.snapshotId !== undefined && (await exists(services, state.snapshotId))) return state.snapshotId;
  const chainId = chainIdOf(state.layers.map((l) => l.diffId))!;
  let pending = inFlight.get(chainId);
  if (pending === undefined) {
    pending = flatten(services, state, chainId).finally(() => inFlight.delete(chainId));
    inFlight.set(chainId, pending);
  }
  return pending;
}
