/** `tsbuild build --print=outline`: the stages a build would run, as text. */
import type { BuildPlan, StagePlan } from './types.ts';

function baseText(plan: BuildPlan, stage: StagePlan): string {
  const b = stage.base;
  if (b.kind === 'scratch') return 'scratch';
  if (b.kind === 'image') return `${b.ref} (${b.image.digest})`;
  const parent = plan.stages.find((s) => s.index === b.stage);
  return `stage ${parent?.name ?? `#${b.stage}`}`;
}

function stageLabel(stage: StagePlan): string {
  return stage.name === undefined ? `#${stage.index}` : `${stage.name} (#${stage.index})`;
}

export function outline(plan: BuildPlan): string {
  const lines: string[] = [];
  if (plan.metaArgs.length > 0) {
    lines.push('Global build args:');
    for (const a of plan.metaArgs) lines.push(`  ${a.name}${a.value === undefined ? '' : `=${a.value}`}`);
    lines.push('');
  }
  for (const stage of plan.stages) {
    const marker = stage.index === plan.target ? ' [target]' : '';
    lines.push(`Stage ${stageLabel(stage)}${marker}`);
    lines.push(`  base:       ${baseText(plan, stage)}`);
    const deps = stage.dependsOn.map((i) => {
      const s = plan.stages.find((x) => x.index === i);
      return s === undefined ? `#${i}` : stageLabel(s);
    });
    lines.push(`  depends on: ${deps.length === 0 ? '(nothing)' : deps.join(', ')}`);
    if (stage.args.length > 0) {
      lines.push(
        `  build args: ${stage.args.map((a) => (a.value === undefined ? a.name : `${a.name}=${a.value}`)).join(', ')}`,
      );
    }
    const layerSteps = stage.steps.filter((s) => s.kind !== 'meta').length;
    lines.push(`  steps:      ${stage.steps.length} (${layerSteps} making layers)`);
    lines.push('');
  }
  return lines.join('\n');
}
