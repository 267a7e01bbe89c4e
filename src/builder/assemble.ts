/**
 * The built image: the target stage's config, the base image's history
 * followed by one entry per instruction of every stage in the chain, and the
 * layers the solve produced.
 */
import {
  type ContainerConfig,
  clampTimestamp,
  type History,
  hostPlatform,
  type Image,
  type ImageConfig,
} from '../image/index.ts';
import type { StateResult } from '../ops/types.ts';
import type { BuildPlan, ConfigState, StagePlan } from '../plan/index.ts';

export interface AssembleOptions {
  readonly labels?: ReadonlyMap<string, string>;
  readonly sourceDateEpoch?: number;
  readonly now?: Date;
}

/** The chain of stages the target stands on, root first. */
export function stageChain(plan: BuildPlan, target: StagePlan): StagePlan[] {
  const chain: StagePlan[] = [target];
  let current = target;
  while (current.base.kind === 'stage') {
    const baseIndex = current.base.stage;
    current = plan.stages.find((s) => s.index === baseIndex)!;
    chain.unshift(current);
  }
  return chain;
}

function setOf(items: readonly string[]): Record<string, Record<string, never>> | undefined {
  return items.length === 0 ? undefined : Object.fromEntries(items.map((i) => [i, {}]));
}

export function containerConfig(
  config: ConfigState,
  extraLabels?: ReadonlyMap<string, string>,
): ContainerConfig {
  const labels = new Map([...config.labels, ...(extraLabels ?? [])]);
  const hc = config.healthcheck;
  return {
    ...(config.user !== undefined && config.user !== '' && { User: config.user }),
    ...(setOf(config.exposedPorts) !== undefined && { ExposedPorts: setOf(config.exposedPorts)! }),
    Env: config.env.map(([k, v]) => `${k}=${v}`),
    ...(config.entrypoint !== undefined && { Entrypoint: config.entrypoint }),
    ...(config.cmd !== undefined && { Cmd: config.cmd }),
    ...(setOf(config.volumes) !== undefined && { Volumes: setOf(config.volumes)! }),
    ...(config.workingDir !== undefined && { WorkingDir: config.workingDir }),
    ...(labels.size > 0 && { Labels: Object.fromEntries(labels) }),
    ...(config.stopSignal !== undefined && { StopSignal: config.stopSignal }),
    ...(config.argsEscaped !== undefined && { ArgsEscaped: config.argsEscaped }),
    ...(hc !== undefined && {
      Healthcheck: {
        Test: hc.test,
        ...(hc.interval !== undefined && { Interval: hc.interval }),
        ...(hc.timeout !== undefined && { Timeout: hc.timeout }),
        ...(hc.startPeriod !== undefined && { StartPeriod: hc.startPeriod }),
        ...(hc.startInterval !== undefined && { StartInterval: hc.startInterval }),
        ...(hc.retries !== undefined && { Retries: hc.retries }),
      },
    }),
    ...(config.onBuild.length > 0 && { OnBuild: config.onBuild }),
    ...(config.shell !== undefined && { Shell: config.shell }),
  };
}

/**
 * History entries for the stages' instructions. `stepLayers`/`stepTimes` say
 * which layer-making steps produced a layer and when they first ran; a
 * metadata step takes the time of the layer step before it (or `fallback`).
 */
function stageHistory(
  chain: readonly StagePlan[],
  result: StateResult,
  fallback: string,
  clamp: (t: string) => string,
): History[] {
  const out: History[] = [];
  let layerStep = 0;
  let last = result.stepTimes[0] ?? fallback;
  for (const stage of chain) {
    for (const step of stage.steps) {
      let empty = true;
      if (step.kind !== 'meta') {
        empty = !(result.stepLayers[layerStep] ?? false);
        last = result.stepTimes[layerStep] ?? last;
        layerStep++;
      }
      out.push({
        created: clamp(last),
        created_by: step.createdBy,
        comment: 'buildkit.dockerfile.v0',
        ...(empty && { empty_layer: true }),
      });
    }
  }
  return out;
}

export function assembleImage(
  plan: BuildPlan,
  result: StateResult,
  baseConfig: ImageConfig | undefined,
  options: AssembleOptions = {},
): Image {
  const target = plan.stages.find((s) => s.index === plan.target)!;
  const chain = stageChain(plan, target);
  // The newest step's time, so a fully cached rebuild reproduces the image exactly.
  const newest =
    [...result.stepTimes].sort().at(-1) ?? baseConfig?.created ?? (options.now ?? new Date()).toISOString();
  const sde = options.sourceDateEpoch;
  const clamp = (t: string) => (sde === undefined ? t : (clampTimestamp(t, sde) ?? t));
  const created = clamp(newest);
  const platform = hostPlatform();
  const history = [...(baseConfig?.history ?? []), ...stageHistory(chain, result, newest, clamp)];
  const config: ImageConfig = {
    created,
    ...(target.config.author !== undefined && { author: target.config.author }),
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant !== undefined && { variant: platform.variant }),
    config: containerConfig(target.config, options.labels),
    rootfs: { type: 'layers', diff_ids: result.layers.map((l) => l.diffId) },
    history,
  };
  return {
    config,
    layers: result.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
}
