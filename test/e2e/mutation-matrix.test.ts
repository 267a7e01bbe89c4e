/**
 * The mutation matrix (issue 6): a two-stage fixture (fixtures/matrix) is built once, then one
 * input is changed at a time and the test asserts exactly which steps run again (solver events
 * `vertex.completed`) while all others stay cached (`vertex.cached`); each change is undone before
 * the next. A context with other modes from a different umask, and a copy with new mtimes and
 * inodes, must leave everything cached. The table in docs/cache.md is this test's table.
 */
import { chmod, cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Builder, type BuildOptions, createBuilder } from '../../src/build.ts';
import { importRootfs, openImageStore } from '../../src/image/index.ts';
import { E2E_REASON, E2E_SKIP, REPO } from '../support/cli.ts';

const STEPS = {
  depsWorkdir: 'deps: WORKDIR /deps',
  depsCopy: 'deps: COPY deps.txt ./',
  depsRun: 'deps: RUN echo "deps $VERSION" > built && cat deps.txt >> built',
  appWorkdir: 'app: WORKDIR /app',
  appCopySrc: 'app: COPY --chown=1000:1000 src/ ./src/',
  appCopyFrom: 'app: COPY --from=deps /deps/built ./deps-built',
  appRun: 'app: RUN ls -ln src > listing.txt',
  appLink: 'app: COPY --link config/app.conf /etc/app.conf',
} as const;

interface Outcome {
  readonly ran: string[];
  readonly cached: string[];
  readonly explain: Map<string, string>;
}

/** `[app 3/6] COPY …` → `app: COPY …`; FROM lines are left out (they load, never run). */
function stepName(vertexName: string): string | undefined {
  const m = /^\[(\S+) \d+\/\d+\] (.*)$/.exec(vertexName);
  return m === null || m[2]!.startsWith('FROM ') ? undefined : `${m[1]}: ${m[2]}`;
}

async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    out.push(full);
    if (entry.isDirectory()) out.push(...(await walkFiles(full)));
  }
  return out;
}

describe.skipIf(E2E_SKIP)(`the mutation matrix (${E2E_REASON})`, () => {
  let dir: string;
  let context: string;
  let builder: Builder;

  const build = async (options: Partial<BuildOptions> = {}): Promise<Outcome> => {
    const ran: string[] = [];
    const cached: string[] = [];
    const explain = new Map<string, string>();
    await builder.build({
      context,
      ...options,
      onEvent: (e) => {
        if (e.type !== 'vertex.completed' && e.type !== 'vertex.cached' && e.type !== 'vertex.started')
          return;
        const name = stepName(e.vertex.name);
        if (name === undefined) return;
        if (e.type === 'vertex.started') explain.set(name, e.explain);
        else (e.type === 'vertex.completed' ? ran : cached).push(name);
      },
    });
    return { ran: ran.sort(), cached: cached.sort(), explain };
  };

  /** Applies `change` to the context, builds, and undoes it (by restoring the fixture's files). */
  const mutated = async (change: (ctx: string) => Promise<void>, options: Partial<BuildOptions> = {}) => {
    await change(context);
    try {
      return await build(options);
    } finally {
      await rm(context, { recursive: true, force: true });
      await cp(join(REPO, 'fixtures/matrix'), context, { recursive: true, preserveTimestamps: true });
    }
  };

  const editDockerfile = (from: string, to: string) => async (ctx: string) => {
    const file = join(ctx, 'Dockerfile');
    const text = await readFile(file, 'utf8');
    expect(text).toContain(from);
    await writeFile(file, text.replace(from, to));
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsb-matrix-'));
    context = join(dir, 'ctx');
    await cp(join(REPO, 'fixtures/matrix'), context, { recursive: true, preserveTimestamps: true });
    const root = join(dir, 'store');
    const store = await openImageStore(root);
    // Two bases with the same files and different digests (their configs differ in `created`).
    await importRootfs(store, inject('busyboxRootfs'), 'matrix-base:one', { sourceDateEpoch: 1 });
    await importRootfs(store, inject('busyboxRootfs'), 'matrix-base:two', { sourceDateEpoch: 2 });
    builder = await createBuilder({ root });
    const first = await build();
    expect(first.ran).toEqual(Object.values(STEPS).sort());
  });

  afterAll(async () => {
    await builder?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a rebuild without changes runs nothing', async () => {
    const again = await build();
    expect(again.ran).toEqual([]);
    expect(again.cached).toEqual(Object.values(STEPS).sort());
  });

  const srcChanged = [STEPS.appCopySrc, STEPS.appCopyFrom, STEPS.appRun].sort();

  it('a file’s content: the COPY that reads it and the steps after it', async () => {
    const out = await mutated((ctx) => writeFile(join(ctx, 'src/main.sh'), '#!/bin/sh\necho changed\n'));
    expect(out.ran).toEqual(srcChanged);
    expect(out.explain.get(STEPS.appCopySrc)).toBe(
      `COPY --chown=1000:1000 src/ ./src/: src/main.sh content changed`,
    );
    expect(out.explain.get(STEPS.appCopyFrom)).toContain('the previous step changed');
  });

  it('a file’s mode', async () => {
    const out = await mutated((ctx) => chmod(join(ctx, 'src/main.sh'), 0o755));
    expect(out.ran).toEqual(srcChanged);
    expect(out.explain.get(STEPS.appCopySrc)).toContain('src/main.sh mode 644 → 755');
  });

  it('an added file', async () => {
    const out = await mutated((ctx) => writeFile(join(ctx, 'src/new.sh'), 'new\n'));
    expect(out.ran).toEqual(srcChanged);
    expect(out.explain.get(STEPS.appCopySrc)).toContain('src/new.sh added');
  });

  it('a deleted file', async () => {
    const out = await mutated((ctx) => rm(join(ctx, 'src/lib.sh')));
    expect(out.ran).toEqual(srcChanged);
    expect(out.explain.get(STEPS.appCopySrc)).toContain('src/lib.sh deleted');
  });

  it('a file matched by .dockerignore: nothing runs', async () => {
    const out = await mutated((ctx) => writeFile(join(ctx, 'src/ignored.tmp'), 'other notes\n'));
    expect(out.ran).toEqual([]);
  });

  it('a file no COPY selects: nothing runs', async () => {
    const out = await mutated((ctx) => writeFile(join(ctx, 'docs/unused.md'), 'edited\n'));
    expect(out.ran).toEqual([]);
  });

  it('an ARG value: the RUN that sees it, and what depends on its stage', async () => {
    const out = await mutated(async () => undefined, { buildArgs: { VERSION: '2.0' } });
    expect(out.ran).toEqual([STEPS.depsRun, STEPS.appCopyFrom, STEPS.appRun].sort());
    expect(out.explain.get(STEPS.depsRun)).toMatch(/VERSION 1\.0 → 2\.0/);
  });

  it('an unused build-arg: nothing runs', async () => {
    const out = await mutated(async () => undefined, { buildArgs: { UNUSED: 'x' } });
    expect(out.ran).toEqual([]);
  });

  it('an ENV line: the RUN that sees it', async () => {
    const out = await mutated(editDockerfile('ENV MODE=prod', 'ENV MODE=dev'));
    expect(out.ran).toEqual([STEPS.appRun]);
    expect(out.explain.get(STEPS.appRun)).toMatch(/MODE prod → dev/);
  });

  it('the base image digest: every step but COPY --link', async () => {
    const out = await mutated(async () => undefined, { buildArgs: { BASE: 'matrix-base:two' } });
    expect(out.ran).toEqual(
      Object.values(STEPS)
        .filter((s) => s !== STEPS.appLink)
        .sort(),
    );
    expect(out.cached).toEqual([STEPS.appLink]);
    expect(out.explain.get(STEPS.appWorkdir)).toBe('WORKDIR /app: the previous step changed');
  });

  it('an instruction’s text: that step only', async () => {
    const out = await mutated(editDockerfile('RUN ls -ln src', 'RUN ls -lna src'));
    expect(out.ran).toEqual(['app: RUN ls -lna src > listing.txt']);
  });

  it('a stage rebuilt into the same files: COPY --from stays cached (content key)', async () => {
    const out = await mutated(editDockerfile('>> built', '>> built && true'));
    expect(out.ran).toEqual(['deps: RUN echo "deps $VERSION" > built && cat deps.txt >> built && true']);
    expect(out.cached).toContain(STEPS.appRun);
    expect(out.cached).toContain(STEPS.appCopyFrom);
  });

  it('a --chown: that COPY and the steps after it', async () => {
    const out = await mutated(editDockerfile('--chown=1000:1000', '--chown=1001:1001'));
    expect(out.ran).toEqual(
      ['app: COPY --chown=1001:1001 src/ ./src/', STEPS.appCopyFrom, STEPS.appRun].sort(),
    );
    expect(out.explain.get('app: COPY --chown=1001:1001 src/ ./src/')).toContain(
      'chown "1000:1000" → "1001:1001"',
    );
  });

  it('a checkout made with umask 002 (group-writable files): nothing runs', async () => {
    const out = await mutated(async (ctx) => {
      for (const path of await walkFiles(ctx)) await chmod(path, (await stat(path)).mode | 0o020);
    });
    expect(out.ran).toEqual([]);
  });

  it('a copy of the context with new mtimes and inodes: nothing runs', async () => {
    const copy = await mkdtemp(join(dir, 'copy-'));
    await cp(join(REPO, 'fixtures/matrix'), copy, { recursive: true });
    const before = await stat(join(context, 'src/main.sh'));
    const after = await stat(join(copy, 'src/main.sh'));
    expect(after.ino).not.toBe(before.ino);
    const saved = context;
    context = copy;
    try {
      expect((await build()).ran).toEqual([]);
    } finally {
      context = saved;
    }
  });
});
