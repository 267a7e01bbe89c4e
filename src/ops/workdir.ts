/**
 * WORKDIR: makes the directory (owned by the USER in effect, as BuildKit
 * does) when the image does not have it; an existing one makes no layer.
 */
import { computeCacheKey } from '../cache/index.ts';
import { resolveUser } from '../executor/index.ts';
import type { WorkdirStep } from '../plan/types.ts';
import type { Op } from '../solver/index.ts';
import { numericChown } from './copy.ts';
import { explainStep, finishLayer, loadRecord } from './layer.ts';
import { ensureSnapshot } from './rootfs.ts';
import type { BuildInputs, OpServices } from './services.ts';
import type { StateResult } from './types.ts';
import { ensureDir, stackOf } from './upper.ts';

export function createWorkdirOp(
  step: WorkdirStep,
  services: OpServices,
  inputs: BuildInputs,
  slot?: string,
): Op<StateResult> {
  const definition = { op: 'workdir', path: step.path, user: step.user ?? '' };
  let keyInputs: readonly string[] = [];
  return {
    cacheKey: async (inputKeys) => {
      keyInputs = inputKeys;
      return computeCacheKey(definition, inputKeys);
    },
    load: (key) => loadRecord(services, key),
    explain: (_key, inputKeys) =>
      explainStep(services, {
        definition,
        inputKeys,
        description: step.display,
        ...(slot !== undefined && { slot }),
      }),
    async run(states, key, ctx) {
      const parent = states[0]!;
      const parentSnapshot = await ensureSnapshot(services, parent);
      const active = await services.snapshotter.prepare(parentSnapshot);
      try {
        // As BuildKit's file ops: a numeric USER without a group means gid = uid, passwd or not.
        const owner =
          numericChown(step.user) ??
          (await resolveUser(stackOf(active.upperDir, active.lowerDirs), step.user));
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
        inputKeys: keyInputs,
        ...(slot !== undefined && { slot }),
      });
    },
  };
}
