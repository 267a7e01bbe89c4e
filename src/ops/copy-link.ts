/**
 * `COPY --link` in two vertices, as BuildKit's merge: the copy itself runs on scratch with a key
 * that leaves the parent out (copy.ts, placement `scratch`), and this op stacks that layer on
 * the parent's layers. When the base changes, only this cheap merge runs again: no file is
 * copied, and the COPY step stays cached. The merged state has no snapshot of its own; the next
 * step that needs its files materialises it by chain id (ensureSnapshot).
 */
import { computeCacheKey } from '../cache/index.ts';
import type { CopyStep } from '../plan/types.ts';
import type { Op } from '../solver/index.ts';
import { numericChown } from './copy.ts';
import { loadRecord } from './layer.ts';
import type { OpServices } from './services.ts';
import type { StateResult } from './types.ts';

/**
 * Whether a COPY can be linked: a `--chown` by name needs the parent's /etc/passwd, so such a
 * step is copied onto its parent as usual (correct, just not independent of the base).
 */
export function linkable(step: CopyStep): boolean {
  return step.link && (step.chown === undefined || numericChown(step.chown) !== undefined);
}

/** Inputs: the parent state, then the linked layer's state (made on scratch). */
export function createLinkMergeOp(step: CopyStep, services: OpServices): Op<StateResult> {
  const definition = { op: 'link-merge' };
  return {
    cacheKey: async (inputKeys) => computeCacheKey(definition, inputKeys),
    load: (key) => loadRecord(services, key),
    async run(states, key, ctx) {
      const [parent, linked] = [states[0]!, states[1]!];
      const result: StateResult = {
        layers: [...parent.layers, ...linked.layers],
        stepLayers: [...parent.stepLayers, ...linked.stepLayers],
        stepTimes: [...parent.stepTimes, ...linked.stepTimes],
      };
      ctx.signal.throwIfAborted();
      await services.cache.put(key, { result, definition, description: step.display });
      return result;
    },
  };
}
