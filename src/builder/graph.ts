/**
 * Turns a BuildPlan into solver vertices: one source vertex per stage base,
 * one vertex per layer-making step, with extra inputs for what a step reads
 * from other stages or images (COPY --from, RUN --mount from=).
 */
import { createCopyOp } from '../ops/copy.ts';
import { createLinkMergeOp, linkable } from '../ops/copy-link.ts';
import { createExecOp } from '../ops/exec.ts';
import type { BuildInputs, OpServices } from '../ops/services.ts';
import { createImageSourceOp, createScratchOp } from '../ops/source.ts';
import type { StateResult } from '../ops/types.ts';
import { createWorkdirOp } from '../ops/workdir.ts';
import type { BuildPlan, LayerStep, SourceRef, StagePlan } from '../plan/index.ts';
import type { Op, Vertex } from '../solver/index.ts';

export type BuildVertex = Vertex<StateResult>;

export interface BuildGraph {
  readonly target: BuildVertex;
  /** The last vertex of each needed stage, by stage index. */
  readonly stages: ReadonlyMap<number, BuildVertex>;
  /** Vertices by id with the stage they belong to, for filters such as --no-cache-filter. */
  readonly stageOf: ReadonlyMap<string, StagePlan>;
}

function stageLabel(plan: BuildPlan, stage: StagePlan): string {
  if (stage.name !== undefined) return stage.name;
  return plan.stages.length > 1 || stage.index > 0 ? `stage-${stage.index}` : '';
}

function vertexName(
  plan: BuildPlan,
  stage: StagePlan,
  position: number,
  total: number,
  text: string,
): string {
  const label = stageLabel(plan, stage);
  return `[${label === '' ? '' : `${label} `}${position}/${total}] ${text}`;
}

/**
 * `slotPrefix` names the Dockerfile (its path), so a step's slot — where it
 * sits — lets `--explain` find the step's last record after it changed.
 */
export function buildGraph(
  plan: BuildPlan,
  services: OpServices,
  inputs: BuildInputs,
  slotPrefix: string,
): BuildGraph {
  const platform = `${plan.platform.os}/${plan.platform.architecture}`;
  const last = new Map<number, BuildVertex>();
  const stageOf = new Map<string, StagePlan>();
  const imageSources = new Map<string, BuildVertex>();

  const imageVertex = (digest: string, ref: string): BuildVertex => {
    let v = imageSources.get(digest);
    if (v === undefined) {
      v = {
        id: `image:${digest}`,
        name: `[internal] load ${ref}`,
        inputs: [],
        op: createImageSourceOp(digest, services),
      };
      imageSources.set(digest, v);
    }
    return v;
  };
  const sourceVertex = (ref: SourceRef): BuildVertex | undefined => {
    if (ref.kind === 'stage') return last.get(ref.stage)!;
    if (ref.kind === 'image') return imageVertex(ref.image.digest, ref.image.ref);
    return undefined;
  };

  for (const stage of plan.stages) {
    const layerSteps = stage.steps.filter((s): s is LayerStep => s.kind !== 'meta');
    const total = layerSteps.length + 1;
    let current: BuildVertex;
    if (stage.base.kind === 'stage') {
      // A stage built on another continues that stage's chain: no vertex of its own.
      current = last.get(stage.base.stage)!;
    } else {
      const image = stage.base.kind === 'image' ? stage.base.image : undefined;
      const op: Op<StateResult> =
        image === undefined ? createScratchOp() : createImageSourceOp(image.digest, services);
      const fromText = image === undefined ? 'FROM scratch' : `FROM ${image.ref}@${image.digest}`;
      current = {
        id: `s${stage.index}:from`,
        name: vertexName(plan, stage, 1, total, fromText),
        inputs: [],
        op,
      };
      stageOf.set(current.id, stage);
    }
    layerSteps.forEach((step, i) => {
      const extra: BuildVertex[] = [];
      const slot = `${slotPrefix}#${stage.index}:${i + 1}`;
      let op: Op<StateResult>;
      let internalName: string | undefined;
      if (step.kind === 'run') {
        for (const m of step.mounts) {
          const v = m.from === undefined ? undefined : sourceVertex(m.from);
          if (v !== undefined) extra.push(v);
        }
        op = createExecOp({ step, services, inputs, platform, slot });
      } else if (step.kind === 'copy') {
        const v = sourceVertex(step.from);
        if (v !== undefined) extra.push(v);
        if (linkable(step)) {
          // COPY --link: the copy runs on scratch in its own vertex (key without the parent), then a merge stacks it.
          const linked: BuildVertex = {
            id: `s${stage.index}:${i + 1}:link`,
            name: vertexName(plan, stage, i + 2, total, step.display),
            inputs: extra.splice(0),
            op: createCopyOp({ step, services, inputs, slot }, 'scratch'),
          };
          stageOf.set(linked.id, stage);
          extra.push(linked);
          internalName = `[internal] merge ${step.display}`;
          op = createLinkMergeOp(step, services);
        } else op = createCopyOp({ step, services, inputs, slot });
      } else {
        op = createWorkdirOp(step, services, inputs, slot);
      }
      const vertex: BuildVertex = {
        id: `s${stage.index}:${i + 1}`,
        name: internalName ?? vertexName(plan, stage, i + 2, total, step.display),
        inputs: [current, ...extra],
        op,
      };
      stageOf.set(vertex.id, stage);
      current = vertex;
    });
    last.set(stage.index, current);
  }
  return { target: last.get(plan.target)!, stages: last, stageOf };
}
