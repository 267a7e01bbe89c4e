/**
 * Load: 16 builds at once on one store — 6 identical, 6 overlapping (a shared prefix, three
 * variants twice each), 4 distinct — first from one process (one Builder), then from 16 CLI
 * processes. All succeed, identical inputs give identical image IDs, every cache key runs exactly
 * once across the whole group, and no lock, lease or temp file is left.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkStore } from '../../src/check/index.ts';
import { type BuildEvent, createBuilder } from '../../src/index.ts';
import { E2E_REASON, E2E_SKIP, tsbuild } from '../support/cli.ts';
import { findLeaks } from './support/leaks.ts';

interface Job {
  readonly group: string;
  readonly context: string;
  readonly buildArgs: Readonly<Record<string, string>>;
}

const SHARED_PREFIX = ['FROM busybox:local', 'COPY common/ /common/', 'RUN sleep 1 && cat /common/* > /all'];

async function makeJobs(dir: string): Promise<Job[]> {
  const context = async (name: string, lines: readonly string[]) => {
    const ctx = path.join(dir, name);
    await mkdir(path.join(ctx, 'common'), { recursive: true });
    for (const f of ['a', 'b']) await writeFile(path.join(ctx, 'common', f), `common ${f}\n`);
    await writeFile(path.join(ctx, 'Dockerfile'), `${lines.join('\n')}\n`);
    return ctx;
  };
  const identical = await context('identical', [...SHARED_PREFIX, 'RUN echo A > /a']);
  const overlapping = await context('overlapping', [...SHARED_PREFIX, 'ARG V', 'RUN echo "$V" > /v']);
  const jobs: Job[] = [];
  for (let i = 0; i < 6; i++) jobs.push({ group: 'identical', context: identical, buildArgs: {} });
  for (const v of ['1', '2', '3', '1', '2', '3'])
    jobs.push({ group: `overlapping V=${v}`, context: overlapping, buildArgs: { V: v } });
  for (let i = 1; i <= 4; i++) {
    const ctx = await context(`distinct-${i}`, [
      'FROM busybox:local',
      `RUN echo distinct-${i} > /d && sleep 0.5`,
    ]);
    jobs.push({ group: `distinct ${i}`, context: ctx, buildArgs: {} });
  }
  return jobs;
}

/** Keys that ran (not joined as another build's flight, not cached), with how often. */
function countRuns(events: readonly BuildEvent[]): Map<string, number> {
  const runs = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'vertex.started' && !e.shared) runs.set(e.key, (runs.get(e.key) ?? 0) + 1);
  }
  return runs;
}

function expectSameIdsWithinGroups(jobs: readonly Job[], ids: readonly string[]): void {
  const byGroup = new Map<string, Set<string>>();
  for (const [i, job] of jobs.entries())
    byGroup.set(job.group, (byGroup.get(job.group) ?? new Set()).add(ids[i]!));
  for (const [group, found] of byGroup) expect([...found], `image IDs of ${group}`).toHaveLength(1);
  // And different inputs gave different images.
  expect(new Set(ids).size).toBe(byGroup.size);
}

describe.skipIf(E2E_SKIP)(`16 concurrent builds on one store (${E2E_REASON})`, () => {
  let dir: string;
  let jobs: Job[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-load-'));
    jobs = await makeJobs(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function freshStore(name: string): Promise<string> {
    const root = path.join(dir, name);
    const imported = await tsbuild(['import', inject('busyboxRootfs'), 'busybox:local'], { root });
    expect(imported.code, imported.stderr).toBe(0);
    return root;
  }

  async function expectCleanStore(root: string): Promise<void> {
    expect(await findLeaks(root)).toEqual([]);
    expect((await checkStore(root)).problems).toEqual([]);
  }

  it('from one process: all succeed, same inputs same image, each step runs once', {
    timeout: 300_000,
  }, async () => {
    const root = await freshStore('one-process');
    const builder = await createBuilder({ root });
    const events: BuildEvent[] = [];
    const started = performance.now();
    const results = await Promise.all(
      jobs.map((job) =>
        builder.build({
          context: job.context,
          buildArgs: job.buildArgs,
          sourceDateEpoch: 0,
          onEvent: (e) => events.push(e),
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    await builder.close();
    expectSameIdsWithinGroups(
      jobs,
      results.map((r) => r.imageId),
    );
    const runs = countRuns(events);
    expect([...runs.values()].filter((n) => n !== 1)).toEqual([]);
    const joined = events.filter((e) => e.type === 'vertex.started' && e.shared).length;
    const cached = events.filter((e) => e.type === 'vertex.cached').length;
    console.log(
      `load, one process: 16 builds in ${seconds.toFixed(1)} s; ${runs.size} steps ran once each, ${joined} joined another build's run, ${cached} cached`,
    );
    expect(joined + cached).toBeGreaterThan(0);
    await expectCleanStore(root);
  });

  it('from 16 processes: all succeed, same inputs same image, each step runs once', {
    timeout: 300_000,
  }, async () => {
    const root = await freshStore('many-processes');
    const started = performance.now();
    const outcomes = await Promise.all(
      jobs.map(async (job, i) => {
        const iid = path.join(dir, `iid-${i}`);
        const buildArgs = Object.entries(job.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
        const args = ['build', '--progress=json', '--source-date-epoch', '0', '--iidfile', iid, ...buildArgs];
        const result = await tsbuild([...args, job.context], { root });
        const lines = `${result.stdout}\n${result.stderr}`.split('\n').filter((l) => l.startsWith('{'));
        return { ...result, iid, events: lines.map((l) => JSON.parse(l) as BuildEvent) };
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    for (const o of outcomes) expect(o.code, o.stderr).toBe(0);
    const ids = await Promise.all(outcomes.map((o) => readFile(o.iid, 'utf8')));
    expectSameIdsWithinGroups(jobs, ids);
    const runs = countRuns(outcomes.flatMap((o) => o.events));
    expect(runs.size).toBeGreaterThan(0);
    expect([...runs.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    console.log(
      `load, 16 processes: 16 builds in ${seconds.toFixed(1)} s; ${runs.size} steps ran once each across processes`,
    );
    await expectCleanStore(root);
  });
});
