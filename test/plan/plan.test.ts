import { describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { parseDockerfileOrThrow } from '../../src/parser/index.ts';
import {
  type BuildPlan,
  type ConfigState,
  type PlanOptions,
  planBuild,
  type RunStep,
} from '../../src/plan/index.ts';

const PLATFORM = { os: 'linux', architecture: 'amd64' };

const BASE_CONFIG: ConfigState = {
  env: [
    ['PATH', '/usr/bin:/bin'],
    ['BASE', 'from-image'],
  ],
  workingDir: '/srv',
  cmd: ['sh'],
  exposedPorts: [],
  labels: [['maintainer', 'base']],
  volumes: [],
  onBuild: [],
};

function plan(text: string, options: Partial<PlanOptions> = {}): Promise<BuildPlan> {
  const resolved: string[] = [];
  return planBuild(parseDockerfileOrThrow(text).ast, {
    platform: PLATFORM,
    resolveImage: async (ref) => {
      resolved.push(ref);
      return { ref: `docker.io/library/${ref}`, digest: `sha256:${'a'.repeat(64)}`, config: BASE_CONFIG };
    },
    ...options,
  });
}

function runs(p: BuildPlan, stage = p.target): RunStep[] {
  return p.stages.find((s) => s.index === stage)!.steps.filter((s): s is RunStep => s.kind === 'run');
}

async function planError(text: string, options: Partial<PlanOptions> = {}) {
  try {
    await plan(text, options);
  } catch (err) {
    if (isTsbuildError(err)) return err;
    throw err;
  }
  throw new Error('expected the plan to fail');
}

describe('planBuild: config and steps', () => {
  it('merges the base image config and applies metadata instructions', async () => {
    const p = await plan(
      [
        'FROM alpine',
        'ENV A=1 B=$A',
        'WORKDIR app',
        'EXPOSE 80 7000-7001/udp',
        'LABEL x="y z"',
        'USER nobody',
        'CMD ["run"]',
      ].join('\n'),
    );
    const c = p.stages[0]!.config;
    expect(c.env).toEqual([
      ['PATH', '/usr/bin:/bin'],
      ['BASE', 'from-image'],
      ['A', '1'],
      ['B', ''],
    ]);
    expect(c.workingDir).toBe('/srv/app');
    expect(c.exposedPorts).toEqual(['80/tcp', '7000/udp', '7001/udp']);
    expect(c.labels).toEqual([
      ['maintainer', 'base'],
      ['x', 'y z'],
    ]);
    expect(c.user).toBe('nobody');
    expect(c.cmd).toEqual(['run']);
    const kinds = p.stages[0]!.steps.map((s) => s.kind);
    expect(kinds).toEqual(['meta', 'workdir', 'meta', 'meta', 'meta', 'meta']);
  });

  it('ENTRYPOINT clears an inherited CMD but not one set in the stage', async () => {
    const a = await plan('FROM alpine\nENTRYPOINT ["x"]');
    expect(a.stages[0]!.config.cmd).toBeUndefined();
    const b = await plan('FROM alpine\nCMD ["y"]\nENTRYPOINT ["x"]');
    expect(b.stages[0]!.config.cmd).toEqual(['y']);
  });

  it('shell-form RUN goes through SHELL and sees ENV plus declared ARGs', async () => {
    const p = await plan('FROM alpine\nARG V=1\nENV E=2\nSHELL ["/bin/bash", "-c"]\nRUN echo $V $E', {
      buildArgs: new Map([['V', '9']]),
    });
    const [run] = runs(p);
    expect(run!.args).toEqual(['/bin/bash', '-c', 'echo $V $E']);
    expect(run!.env).toContain('V=9');
    expect(run!.env).toContain('E=2');
    expect(run!.createdBy).toBe('RUN |1 V=9 /bin/bash -c echo $V $E # buildkit');
    expect(run!.workdir).toBe('/srv');
  });

  it('ENV wins over an ARG of the same name', async () => {
    const p = await plan('FROM alpine\nARG X=arg\nENV X=env\nWORKDIR /$X');
    expect(p.stages[0]!.config.workingDir).toBe('/env');
  });

  it('global ARGs reach FROM but not the stage unless re-declared', async () => {
    const p = await plan('ARG TAG=3\nFROM alpine:$TAG\nWORKDIR /a$TAG\nARG TAG\nWORKDIR /b$TAG');
    const base = p.stages[0]!.base;
    expect(base.kind === 'image' && base.ref).toBe('alpine:3');
    expect(p.stages[0]!.config.workingDir).toBe('/b3');
    const workdirs = p.stages[0]!.steps.flatMap((s) => (s.kind === 'workdir' ? [s.path] : []));
    expect(workdirs).toEqual(['/a', '/b3']);
  });

  it('predefined platform args exist and unused build args warn', async () => {
    const p = await plan('FROM alpine\nARG TARGETARCH\nWORKDIR /$TARGETARCH', {
      buildArgs: new Map([['NOPE', '1']]),
    });
    expect(p.stages[0]!.config.workingDir).toBe('/amd64');
    expect(p.warnings.map((w) => w.code)).toEqual(['UnusedBuildArg']);
    expect(p.warnings[0]!.message).toContain('NOPE');
  });

  it('COPY resolves destinations against WORKDIR and keeps "into a directory"', async () => {
    const p = await plan('FROM alpine\nWORKDIR /app\nCOPY a b ./\nCOPY c .\nCOPY d e');
    const copies = p.stages[0]!.steps.flatMap((s) => (s.kind === 'copy' ? [s.dest] : []));
    expect(copies).toEqual(['/app/', '/app/', '/app/e']);
  });

  it('COPY with several sources and a file destination is an error at its line', async () => {
    const err = await planError('FROM alpine\n\nCOPY a b dest');
    expect(err.location?.line).toBe(3);
    expect(err.message).toContain('ending in "/"');
  });
});

describe('planBuild: stages', () => {
  const MULTI = [
    'FROM alpine AS base',
    'RUN echo base',
    'FROM base AS build',
    'RUN echo build',
    'FROM alpine AS unused',
    'RUN echo unused',
    'FROM scratch',
    'COPY --from=build /out /out',
  ].join('\n');

  it('orders the stages the target needs and drops the rest', async () => {
    const p = await plan(MULTI);
    expect(p.order).toEqual([0, 1, 3]);
    expect(p.stages.map((s) => s.name ?? `#${s.index}`)).toEqual(['base', 'build', '#3']);
    const final = p.stages.find((s) => s.index === 3)!;
    expect(final.dependsOn).toEqual([1]);
    expect(final.base).toEqual({ kind: 'scratch' });
  });

  it('--target builds one stage and only what it needs', async () => {
    const p = await plan(MULTI, { target: 'BUILD' });
    expect(p.target).toBe(1);
    expect(p.order).toEqual([0, 1]);
  });

  it('unknown target lists the stage names', async () => {
    const err = await planError(MULTI, { target: 'nope' });
    expect(err.message).toContain('"nope"');
    expect(err.hint).toContain('base, build, unused');
  });

  it('duplicate stage names point at the second one', async () => {
    const err = await planError('FROM alpine AS a\nFROM alpine AS A');
    expect(err.location?.line).toBe(2);
    expect(err.message).toContain('duplicate stage name "a"');
  });

  it('copying from itself and cycles are errors', async () => {
    const self = await planError('FROM alpine AS a\nCOPY --from=a /x /y');
    expect(self.message).toContain('cannot copy from itself');
    const cycle = await planError(
      'FROM alpine AS a\nCOPY --from=b /x /y\nFROM alpine AS b\nCOPY --from=a /x /y',
    );
    expect(cycle.message).toContain('circular dependency');
  });

  it('COPY --from by index and from an image', async () => {
    const p = await plan('FROM alpine\nRUN x\nFROM alpine\nCOPY --from=0 /a /a\nCOPY --from=nginx:1 /b /b');
    const copies = p.stages
      .find((s) => s.index === 1)!
      .steps.flatMap((s) => (s.kind === 'copy' ? [s.from] : []));
    expect(copies[0]).toEqual({ kind: 'stage', stage: 0 });
    expect(copies[1]!.kind).toBe('image');
  });

  it('instructions before the first FROM other than ARG are errors', async () => {
    const err = await planError('RUN x\nFROM alpine');
    expect(err.message).toContain('before the first FROM');
  });

  it('FROM --platform other than the host is a clear error', async () => {
    const err = await planError('FROM --platform=linux/arm64 alpine');
    expect(err.message).toContain('only the host platform');
    const ok = await plan('FROM --platform=$BUILDPLATFORM alpine');
    expect(ok.stages).toHaveLength(1);
  });
});
