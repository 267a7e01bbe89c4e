/**
 * Issue 3, stages and the graph, at the planner: stages by name or index,
 * FROM <stage>, COPY --from=<stage|index|image>, RUN --mount from=,
 * --target pruning (unreachable stages are neither planned nor their base
 * images resolved), and errors that point at the line.
 */
import { describe, expect, it } from 'vitest';
import { type CopyStep, outline, type RunStep } from '../../src/plan/index.ts';
import { planFailure, planText, targetStage } from './support/plan.ts';

const MULTI = [
  'FROM base-image AS Base', // 1
  'RUN echo base', // 2
  'FROM base AS build', // 3
  'RUN echo build', // 4
  'FROM unused-image AS unused', // 5
  'RUN echo unused', // 6
  'FROM tools-image', // 7
  'FROM scratch AS final', // 8
  'COPY --from=BUILD /out /out', // 9
  'COPY --from=2 /u /u', // 10
  'COPY --from=copied-image /x /x', // 11
].join('\n');

function copies(stage: { steps: readonly { kind: string }[] }): CopyStep[] {
  return stage.steps.filter((s): s is CopyStep => s.kind === 'copy');
}

describe('stages by name and index', () => {
  it('FROM <stage>, COPY --from a name (any case), an index and an image', async () => {
    const { plan, resolved } = await planText(MULTI);
    expect(plan.order).toEqual([0, 1, 2, 4]);
    expect(plan.stages.find((s) => s.index === 1)!.base).toEqual({ kind: 'stage', stage: 0 });
    const final = targetStage(plan);
    expect(final.dependsOn).toEqual([1, 2]);
    expect(copies(final).map((c) => (c.from.kind === 'image' ? c.from.image.ref : c.from))).toEqual([
      { kind: 'stage', stage: 1 },
      { kind: 'stage', stage: 2 },
      'docker.io/library/copied-image',
    ]);
    // The stage FROM tools-image is needed by nothing: never resolved.
    expect([...resolved].sort()).toEqual(['base-image', 'copied-image', 'unused-image']);
  });

  it('RUN --mount from= a stage, an index and an image', async () => {
    const { plan } = await planText(
      [
        'FROM alpine AS tools',
        'FROM alpine',
        'RUN --mount=type=bind,from=tools,target=/t --mount=type=cache,from=0,target=/c --mount=type=bind,from=img:1,target=/i true',
      ].join('\n'),
    );
    const run = targetStage(plan).steps.find((s): s is RunStep => s.kind === 'run')!;
    expect(run.mounts.map((m) => (m.from?.kind === 'image' ? m.from.image.ref : m.from))).toEqual([
      { kind: 'stage', stage: 0 },
      { kind: 'stage', stage: 0 },
      'docker.io/library/img:1',
    ]);
    expect(targetStage(plan).dependsOn).toEqual([0]);
  });
});

describe('--target', () => {
  it('plans the target and what it needs only; unreachable base images are never resolved', async () => {
    const { plan, resolved } = await planText(MULTI, { target: 'build' });
    expect(plan.target).toBe(1);
    expect(plan.order).toEqual([0, 1]);
    expect(resolved).toEqual(['base-image']);
  });

  it('an unknown target is an error listing the stage names', async () => {
    const err = await planFailure(MULTI, { target: 'nope' });
    expect(err.code).toBe('DF_PLAN');
    expect(err.message).toContain('"nope"');
    expect(err.hint).toBe('stages are: base, build, unused, final');
  });
});

describe('graph errors point at the line', () => {
  it('duplicate stage names, case-insensitively, at the second FROM', async () => {
    const err = await planFailure('FROM a AS one\nRUN x\nFROM b AS ONE');
    expect(err.location).toMatchObject({ line: 3 });
    expect(err.message).toContain('line 1');
  });

  it('a cycle between stages names them and points at a FROM in it', async () => {
    const err = await planFailure(
      ['FROM alpine AS a', 'COPY --from=b /x /x', 'FROM alpine AS b', 'COPY --from=a /y /y'].join('\n'),
    );
    expect(err.message).toMatch(/circular dependency between stages: "(a|b)" -> "(a|b)" -> "(a|b)"/);
    expect([1, 3]).toContain(err.location?.line);
  });

  it('copying from the stage itself', async () => {
    const err = await planFailure('FROM alpine AS a\nRUN x\nCOPY --from=a /x /y');
    expect(err.location).toMatchObject({ line: 3 });
  });

  it('a stage index that does not exist', async () => {
    const err = await planFailure('FROM alpine\nRUN x\nCOPY --from=3 /x /y');
    expect(err.location).toMatchObject({ line: 3 });
    expect(err.message).toContain('no stage #3');
  });

  it('COPY --from with a variable (BuildKit links stages before variables exist)', async () => {
    const err = await planFailure('FROM alpine AS src\nFROM alpine\nARG S=src\nCOPY --from=$S /x /y');
    expect(err.location).toMatchObject({ line: 4 });
    expect(err.message).toContain('variables are not expanded in --from');
  });

  it('a stage used before it is defined', async () => {
    const err = await planFailure(
      'FROM alpine AS first\nCOPY --from=later /x /y\nFROM alpine AS later\nFROM first',
    );
    expect(err.location).toMatchObject({ line: 2 });
    expect(err.message).toBe('stage "first" reads from stage "later", which is defined after it');
  });
});

describe('outline (what `build --print=outline` would print)', () => {
  it('lists the stages the target needs with base, dependencies and build args', async () => {
    const { plan } = await planText(
      'ARG V=1\nFROM alpine AS a\nARG X=2\nRUN x\nFROM scratch\nCOPY --from=a /x /x',
      {
        target: undefined,
      },
    );
    const text = outline(plan);
    expect(text).toContain('Global build args:\n  V=1');
    expect(text).toContain(`Stage a (#0)\n  base:       alpine (sha256:${'a'.repeat(64)})`);
    expect(text).toContain('  build args: X=2');
    expect(text).toContain('Stage #1 [target]\n  base:       scratch\n  depends on: a (#0)');
  });
});
