/**
 * Planning a Dockerfile text against fake base images, for the plan-side
 * semantics tests: every image reference resolves to the config given for
 * it (or an empty one), and the references looked up are recorded.
 */
import { isTsbuildError, type TsbuildError } from '../../../src/errors.ts';
import { parseDockerfileOrThrow } from '../../../src/parser/index.ts';
import {
  type BuildPlan,
  type ConfigState,
  type PlanOptions,
  planBuild,
  type StagePlan,
  type Step,
} from '../../../src/plan/index.ts';

export const PLATFORM = { os: 'linux', architecture: 'amd64' } as const;

export const NO_ENV_IMAGE: ConfigState = { env: [], exposedPorts: [], labels: [], volumes: [], onBuild: [] };

export interface Planned {
  readonly plan: BuildPlan;
  /** Image references the planner asked for, in order. */
  readonly resolved: readonly string[];
}

export async function planText(
  text: string,
  options: Partial<PlanOptions> & { readonly images?: Readonly<Record<string, ConfigState>> } = {},
): Promise<Planned> {
  const resolved: string[] = [];
  const { images, ...rest } = options;
  const plan = await planBuild(parseDockerfileOrThrow(text).ast, {
    platform: PLATFORM,
    resolveImage: async (ref) => {
      resolved.push(ref);
      return {
        ref: `docker.io/library/${ref}`,
        digest: `sha256:${'a'.repeat(64)}`,
        config: images?.[ref] ?? NO_ENV_IMAGE,
      };
    },
    ...rest,
  });
  return { plan, resolved };
}

export async function planFailure(
  text: string,
  options: Partial<PlanOptions> & { readonly images?: Readonly<Record<string, ConfigState>> } = {},
): Promise<TsbuildError> {
  try {
    await planText(text, options);
  } catch (err) {
    if (isTsbuildError(err)) return err;
    throw err;
  }
  throw new Error('expected the plan to fail');
}

export function targetStage(plan: BuildPlan): StagePlan {
  return plan.stages.find((s) => s.index === plan.target)!;
}

/** `created_by` of every step of a stage: what the image history will say. */
export function historyOf(stage: StagePlan): string[] {
  return stage.steps.map((s: Step) => s.createdBy);
}
