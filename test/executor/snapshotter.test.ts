import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { createSnapshotter, type Snapshotter } from '../../src/executor/index.ts';

describe('snapshotter (store layout and bookkeeping)', () => {
  let root: string;
  let snapshotter: Snapshotter;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsbuild-snap-'));
    snapshotter = createSnapshotter({ root, kind: 'overlay' });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function commitLayer(parent: string | undefined, file: string, chainId?: string): Promise<string> {
    const active = await snapshotter.prepare(parent);
    await writeFile(join(active.upperDir, file), file);
    return active.commit(chainId === undefined ? {} : { chainId, labels: { source: 'test' } });
  }

  it('prepares numbered snapshots under <root>/snapshots/<n>/fs with a work dir and meta.json', async () => {
    const active = await snapshotter.prepare(undefined);
    expect(active.id).toBe('1');
    expect(active.upperDir).toBe(join(root, 'snapshots/1/fs'));
    expect(active.workDir).toBe(join(root, 'snapshots/1/work'));
    expect(active.lowerDirs).toEqual([]);
    const meta = JSON.parse(await readFile(join(root, 'snapshots/1/meta.json'), 'utf8'));
    expect(meta).toMatchObject({ id: '1', state: 'active', owner: { pid: process.pid } });
    await active.abort();
    expect(await readdir(join(root, 'snapshots'))).not.toContain('1');
  });

  it('commits into an immutable record with chain id and labels, and drops the work dir', async () => {
    const id = await commitLayer(undefined, 'a', 'sha256:aaa');
    const info = await snapshotter.get(id);
    expect(info).toMatchObject({ id, state: 'committed', chainId: 'sha256:aaa', labels: { source: 'test' } });
    expect(await readdir(join(root, 'snapshots', id))).toEqual(['fs', 'meta.json']);
    expect((await snapshotter.findByChainId('sha256:aaa'))?.id).toBe(id);
    expect(await snapshotter.findByChainId('sha256:nope')).toBeUndefined();
  });

  it('gives the parent chain top first as lowerDirs', async () => {
    const a = await commitLayer(undefined, 'a');
    const b = await commitLayer(a, 'b');
    const active = await snapshotter.prepare(b);
    const fs = (id: string) => join(root, 'snapshots', id, 'fs');
    expect(active.lowerDirs).toEqual([fs(b), fs(a)]);
    expect(await snapshotter.lowerDirs(b)).toEqual([fs(b), fs(a)]);
    const seen = await snapshotter.lookupPath(b, '/a');
    expect(seen).toMatchObject({ kind: 'found', hostPath: join(fs(a), 'a') });
    await active.abort();
  });

  it('refuses to prepare on an active snapshot or to commit twice', async () => {
    const active = await snapshotter.prepare(undefined);
    const onActive = await snapshotter.prepare(active.id).catch((error: unknown) => error);
    expect(isTsbuildError(onActive, 'SNAPSHOT')).toBe(true);
    await active.commit();
    const again = await active.commit().catch((error: unknown) => error);
    expect(isTsbuildError(again, 'SNAPSHOT')).toBe(true);
  });

  it('refuses to remove a snapshot with children, committed or active', async () => {
    const a = await commitLayer(undefined, 'a');
    const child = await snapshotter.prepare(a);
    const refused = await snapshotter.remove(a).catch((error: unknown) => error);
    expect(isTsbuildError(refused, 'SNAPSHOT')).toBe(true);
    expect((refused as Error).message).toContain(`${child.id} (active)`);
    await child.abort();
    await snapshotter.remove(a);
    expect(await snapshotter.list()).toEqual([]);
    const gone = await snapshotter.get(a).catch((error: unknown) => error);
    expect(isTsbuildError(gone, 'SNAPSHOT')).toBe(true);
  });

  it('never reuses an id after removal', async () => {
    const a = await commitLayer(undefined, 'a');
    await snapshotter.remove(a);
    const b = await commitLayer(undefined, 'b');
    expect(Number(b)).toBeGreaterThan(Number(a));
  });

  it('lists committed and active snapshots in id order', async () => {
    const a = await commitLayer(undefined, 'a');
    const active = await snapshotter.prepare(a);
    const listed = await snapshotter.list();
    expect(listed.map((info) => [info.id, info.parent, info.state])).toEqual([
      [a, undefined, 'committed'],
      [active.id, a, 'active'],
    ]);
    await active.abort();
  });

  it('rejects ids that are not snapshot numbers', async () => {
    const failure = await snapshotter.get('../etc').catch((error: unknown) => error);
    expect(isTsbuildError(failure, 'SNAPSHOT')).toBe(true);
  });
});
