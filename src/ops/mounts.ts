/**
 * RUN --mount for the exec op: what of a mount goes into the cache key (its
 * definition, never a secret's value or a cache dir's contents), and turning
 * the planner's mounts into the executor's mount requests.
 */
import { TsbuildError } from '../errors.ts';
import type { MountRequest } from '../executor/index.ts';
import type { ResolvedMount, RunStep } from '../plan/types.ts';
import type { BuildInputs, OpServices } from './services.ts';
import type { StateResult } from './types.ts';

export function mountDefinitions(mounts: readonly ResolvedMount[]): unknown[] {
  return mounts.map((m) => ({
    type: m.type,
    target: m.target,
    source: m.source ?? '',
    from:
      m.from === undefined
        ? 'context'
        : m.from.kind === 'image'
          ? m.from.image.digest
          : `stage:${m.from.kind === 'stage' ? m.from.stage : ''}`,
    readonly: m.readonly,
    id: m.id ?? '',
    sharing: m.sharing ?? '',
    mode: m.mode ?? 0,
    uid: m.uid ?? 0,
    gid: m.gid ?? 0,
    size: m.sizeBytes ?? 0,
    env: m.env ?? '',
    required: m.required,
  }));
}

export interface PreparedMounts {
  readonly requests: readonly MountRequest[];
  release(): Promise<void>;
}

export async function prepareMounts(
  _services: OpServices,
  _inputs: BuildInputs,
  step: RunStep,
  _sources: readonly StateResult[],
  _signal: AbortSignal,
): Promise<PreparedMounts> {
  if (step.mounts.length > 0 || step.files.length > 0) {
    throw new TsbuildError(
      'EXECUTOR',
      `${step.display}: RUN --mount and heredoc scripts with a shebang are not wired up yet`,
    );
  }
  return { requests: [], release: async () => {} };
}
