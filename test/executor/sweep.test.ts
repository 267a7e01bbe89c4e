import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSnapshotter, sweep } from '../../src/executor/index.ts';
import { currentOwner } from '../../src/executor/owner.ts';

describe('sweep (bookkeeping of dead owners)', () => {
  let root: string;
  const deadOwner = { pid: process.pid, startTime: 'not-this-process' };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsbuild-sweep-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('removes bundles, active snapshots and half-made cache dirs of dead processes, keeps live ones', async () => {
    for (const [id, owner] of [
      ['tsb-dead', deadOwner],
      ['tsb-live', currentOwner()],
    ] as const) {
      await mkdir(join(root, 'run', id), { recursive: true });
      await writeFile(join(root, 'run', id, 'owner.json'), JSON.stringify(owner));
    }
    const snapshotter = createSnapshotter({ root, kind: 'overlay' });
    const committed = await (await snapshotter.prepare(undefined)).commit();
    const live = await snapshotter.prepare(committed);
    const crashed = await snapshotter.prepare(committed);
    const metaPath = join(root, 'snapshots', crashed.id, 'meta.json');
    await writeFile(
      metaPath,
      JSON.stringify({ id: crashed.id, parent: committed, state: 'active', owner: deadOwner }),
    );

    const owner = currentOwner();
    await mkdir(join(root, 'cache', 'mounts', 'k', `.new-${owner.pid}-bogus-1`), { recursive: true });
    await mkdir(join(root, 'cache', 'mounts', 'k', `.new-${owner.pid}-${owner.startTime}-2`), {
      recursive: true,
    });

    const report = await sweep({ root });

    expect(report.bundles).toEqual(['tsb-dead']);
    expect(report.snapshots).toEqual([crashed.id]);
    expect(report.cacheMounts).toEqual([`k/.new-${owner.pid}-bogus-1`]);
    expect((await readdir(join(root, 'run'))).sort()).toEqual(['tsb-live']);
    expect((await snapshotter.list()).map((info) => info.id)).toEqual([committed, live.id]);
    await live.abort();
  });

  it('removes staging dirs of dead creators and interrupted removals, and retires their ids', async () => {
    const snapshotter = createSnapshotter({ root, kind: 'overlay' });
    const kept = await (await snapshotter.prepare(undefined)).commit();
    const owner = currentOwner();
    const dead = `.new-${owner.pid}-bogus-1`;
    const alive = `.new-${owner.pid}-${owner.startTime}-2`;
    for (const name of [dead, alive, '9'])
      await mkdir(join(root, 'snapshots', name, 'fs'), { recursive: true });

    const report = await sweep({ root });

    expect([...report.snapshots].sort()).toEqual([dead, '9'].sort());
    expect((await readdir(join(root, 'snapshots'))).sort()).toEqual([alive, kept, 'last-id'].sort());
    // Id 9 was seen, so it is never handed out again.
    const next = await snapshotter.prepare(undefined);
    expect(Number(next.id)).toBeGreaterThan(9);
    await next.abort();
  });

  it('removes owner-named scratch entries of dead processes from tmp/, keeps the rest', async () => {
    const owner = currentOwner();
    const names = [
      `${owner.pid}-bogus-x`,
      `4194321-123-probe-ab`,
      `${owner.pid}-${owner.startTime}-probe-cd`,
      'unowned',
    ];
    for (const name of names) await mkdir(join(root, 'tmp', name), { recursive: true });
    const report = await sweep({ root });
    expect(report.scratch).toEqual(['4194321-123-probe-ab']);
    expect((await readdir(join(root, 'tmp'))).sort()).toEqual(
      [`${owner.pid}-bogus-x`, `${owner.pid}-${owner.startTime}-probe-cd`, 'unowned'].sort(),
    );
  });

  it('is a no-op on an empty store', async () => {
    expect(await sweep({ root })).toEqual({
      containers: [],
      bundles: [],
      snapshots: [],
      cacheMounts: [],
      scratch: [],
    });
  });
});
