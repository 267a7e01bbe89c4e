/**
 * WORKDIR: makes the directory (owned by the USER in effect, as BuildKit
 * does) when the image does not have it; an existing one makes no layer.
 */
import { computeCacheKey } from '../cache/index.ts';
import { resolveUser } from '../executor/index.ts';
import type { WorkdirStep } from '../plan/types.ts';
import type { Op } from '../solver/index.ts';
import { finishLayer, loadRecord } from './layer.ts';
import { ensureSnapshot } from './rootfs.ts';
import type { BuildInputs, OpServices } from './services.ts';
import type { StateResult } from './types.ts';
import { ensureDir, stackOf } from './upper.ts';

export function createWorkdirOp(
  step: WorkdirStep,
  services: OpServices,
  inputs: BuildInputs,
): Op<StateResult> {
  const definition = { op: 'workdir', path: step.path, user: step.user ?? '' };
  return {
    cacheKey: async (inputKeys) => computeCacheKey(definition, inputKeys),
    load: (key) => loadRecord(services, key),
    async run(states, key, ctx) {
      const parent = states[0]!;
      const parentSnapshot = await ensureSnapshot(services, parent);
      const active = await services.snapshotter.prepare(parentSnapshot);
      try {
        const owner = await resolveUser(stackOf(active.upperDir, active.lowerDirs), step.user);
        await ensureDir(active.upperDir, active.lowerDirs, step.path, owner);
      } catch (err) {
        await active.abort().catch(() => undefined);
        throw err;
      }
      return finishLayer(services, active, parent, parentSnapshot, {
        key,
        signal: ctx.signal,
        ...(inputs.sourceDateEpoch !== undefined && { sourceDateEpoch: inputs.sourceDateEpoch }),
        definition,
        description: step.display,
      });
    },
  };
}
