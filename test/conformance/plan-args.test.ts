// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Dockerfiles with ${VAR} words.
/**
 * Issue 3, build-arg scoping, at the planner: global ARGs, defaults,
 * --build-arg, ENV against ARG, the predefined platform and proxy args,
 * unused build args, and what RUN sees and records. The expectations are
 * BuildKit's, several of them first seen in the differential test.
 */
import { describe, expect, it } from 'vitest';
import type { RunStep, StagePlan } from '../../src/plan/index.ts';
import { NO_ENV_IMAGE, planText, targetStage } from './support/plan.ts';

function runs(stage: StagePlan): RunStep[] {
  return stage.steps.filter((s): s is RunStep => s.kind === 'run');
}

/** A RUN's environment as a map, PATH left out. */
function envOf(run: RunStep): Record<string, string> {
  return Object.fromEntries(
    run.env
      .map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])
      .filter(([k]) => k !== 'PATH'),
  );
}

function workdirs(stage: StagePlan): string[] {
  return stage.steps.flatMap((s) => (s.kind === 'workdir' ? [s.path] : []));
}

describe('global ARGs (before the first FROM)', () => {
  it('are usable in FROM, and in a stage only after a bare ARG re-declares them', async () => {
    const { plan, resolved } = await planText(
      'ARG IMAGE=alpine\nARG V=3\nFROM $IMAGE:$V\nWORKDIR /before-$V\nARG V\nWORKDIR /after-$V\nRUN true',
    );
    expect(resolved).toEqual(['alpine:3']);
    const stage = targetStage(plan);
    expect(workdirs(stage)).toEqual(['/before-', '/after-3']);
    expect(envOf(runs(stage)[0]!)).toEqual({ V: '3' });
  });

  it('a stage default wins over the global value; --build-arg wins over both', async () => {
    const text = 'ARG V=global\nFROM alpine\nARG V=stage\nWORKDIR /$V';
    expect(workdirs(targetStage((await planText(text)).plan))).toEqual(['/stage']);
    const given = await planText(text, { buildArgs: new Map([['V', 'cli']]) });
    expect(workdirs(targetStage(given.plan))).toEqual(['/cli']);
  });

  it('--build-arg overrides a global default used in FROM', async () => {
    const { resolved } = await planText('ARG TAG=1\nFROM alpine:${TAG}', {
      buildArgs: new Map([['TAG', '2']]),
    });
    expect(resolved).toEqual(['alpine:2']);
  });

  it('a global ARG without a value stays unset unless given', async () => {
    const unset = await planText('ARG TAG\nFROM alpine${TAG:+:}${TAG}');
    expect(unset.resolved).toEqual(['alpine']);
    const given = await planText('ARG TAG\nFROM alpine${TAG:+:}${TAG}', {
      buildArgs: new Map([['TAG', 'edge']]),
    });
    expect(given.resolved).toEqual(['alpine:edge']);
  });
});

describe('stage ARGs, ENV and what RUN sees', () => {
  it('defaults expand earlier ARGs; an ARG without value is declared but not in the environment', async () => {
    const { plan } = await planText('FROM alpine\nARG A=1 B=${A}2\nARG C\nRUN echo');
    const [run] = runs(targetStage(plan));
    expect(envOf(run!)).toEqual({ A: '1', B: '12' });
    expect(run!.createdBy).toBe('RUN |3 A=1 B=12 C= /bin/sh -c echo # buildkit');
  });

  it('ENV after an ARG of the same name wins, in expansion, RUN environment and history', async () => {
    const { plan } = await planText('FROM alpine\nARG X=arg\nENV X=env\nWORKDIR /$X\nRUN echo', {
      buildArgs: new Map([['X', 'cli']]),
    });
    const stage = targetStage(plan);
    expect(workdirs(stage)).toEqual(['/env']);
    expect(envOf(runs(stage)[0]!)).toEqual({ X: 'env' });
    expect(runs(stage)[0]!.createdBy).toBe('RUN |1 X=env /bin/sh -c echo # buildkit');
    expect(stage.config.env).toContainEqual(['X', 'env']);
  });

  it('an ARG after an ENV of the same name wins for later steps but never reaches the config', async () => {
    const { plan } = await planText('FROM alpine\nENV X=env\nARG X=arg\nWORKDIR /$X\nRUN echo');
    const stage = targetStage(plan);
    expect(workdirs(stage)).toEqual(['/arg']);
    expect(envOf(runs(stage)[0]!)).toEqual({ X: 'arg' });
    expect(stage.config.env.filter(([k]) => k === 'X')).toEqual([['X', 'env']]);
  });

  it('RUN history lists each declared arg once, in first-declared order, with its current value', async () => {
    const { plan } = await planText('FROM alpine\nARG B=1\nARG A=2\nARG B=3\nRUN echo');
    expect(runs(targetStage(plan))[0]!.createdBy).toBe('RUN |2 B=3 A=2 /bin/sh -c echo # buildkit');
  });

  it("the base image's ENV is the starting environment and can be used in expansion", async () => {
    const { plan } = await planText('FROM alpine\nWORKDIR /$HOME_DIR', {
      images: { alpine: { ...NO_ENV_IMAGE, env: [['HOME_DIR', 'srv']] } },
    });
    expect(workdirs(targetStage(plan))).toEqual(['/srv']);
  });

  it("a stage built FROM another stage keeps that stage's ARGs and ENV", async () => {
    const { plan } = await planText('FROM alpine AS base\nARG A=from-base\nENV E=env\nFROM base\nRUN echo');
    const [run] = runs(targetStage(plan));
    expect(envOf(run!)).toEqual({ A: 'from-base', E: 'env' });
    expect(run!.createdBy).toBe('RUN |1 A=from-base /bin/sh -c echo # buildkit');
    expect(targetStage(plan).config.env.map(([k]) => k)).not.toContain('A');
  });
});

describe('predefined args', () => {
  it('platform args are usable in FROM without declaration and in a stage once declared', async () => {
    const names = [
      'TARGETPLATFORM',
      'TARGETOS',
      'TARGETARCH',
      'TARGETVARIANT',
      'BUILDPLATFORM',
      'BUILDOS',
      'BUILDARCH',
    ];
    const { plan, resolved } = await planText(
      `FROM img:$TARGETOS-$BUILDARCH\nRUN echo\nARG ${names.join(' ')}\nRUN echo`,
    );
    expect(resolved).toEqual(['img:linux-amd64']);
    const [before, after] = runs(targetStage(plan));
    expect(envOf(before!)).toEqual({});
    expect(envOf(after!)).toEqual({
      TARGETPLATFORM: 'linux/amd64',
      TARGETOS: 'linux',
      TARGETARCH: 'amd64',
      TARGETVARIANT: '',
      BUILDPLATFORM: 'linux/amd64',
      BUILDOS: 'linux',
      BUILDARCH: 'amd64',
    });
  });

  it('proxy build args reach RUN without a declaration, and neither history, config nor warnings', async () => {
    const { plan } = await planText('FROM alpine\nRUN echo', {
      buildArgs: new Map([
        ['HTTP_PROXY', 'http://proxy:3128'],
        ['no_proxy', 'localhost'],
      ]),
    });
    const stage = targetStage(plan);
    const [run] = runs(stage);
    expect(envOf(run!)).toEqual({ HTTP_PROXY: 'http://proxy:3128', no_proxy: 'localhost' });
    expect(run!.createdBy).toBe('RUN /bin/sh -c echo # buildkit');
    expect(stage.config.env.map(([k]) => k)).toEqual(['PATH']);
    expect(plan.warnings).toEqual([]);
  });
});

describe('unused build args', () => {
  it('a --build-arg no ARG declares is a warning naming it; declared, global and predefined ones are not', async () => {
    const { plan } = await planText('ARG G\nFROM alpine\nARG S\nRUN echo', {
      buildArgs: new Map([
        ['G', '1'],
        ['S', '2'],
        ['TARGETARCH', 'amd64'],
        ['NOPE', '3'],
      ]),
    });
    expect(plan.warnings.map((w) => [w.severity, w.code, w.message])).toEqual([
      ['warning', 'UnusedBuildArg', 'build arg "NOPE" was given but no ARG in Dockerfile declares it'],
    ]);
  });
});
