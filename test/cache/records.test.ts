import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeCacheKey, openCacheStore } from '../../src/cache/index.ts';
import { tempDirsForEachTest } from './tmp.ts';

const tempDir = tempDirsForEachTest();
const keyOf = (n: number) => computeCacheKey({ n }, []);

describe('cache records', () => {
  it('stores and reads a record by key', async () => {
    const store = await openCacheStore(await tempDir());
    const key = keyOf(1);
    expect(await store.get(key)).toBeUndefined();
    await store.put(key, { result: { snapshotId: 's1' }, description: 'RUN make', snapshotId: 's1' });
    expect(await store.get(key)).toMatchObject({
      key,
      result: { snapshotId: 's1' },
      description: 'RUN make',
    });
    expect((await store.list()).map((r) => r.key)).toEqual([key]);
  });

  it('ignores a temp file left by a writer that crashed before its rename', async () => {
    const root = await tempDir();
    const store = await openCacheStore(root);
    const key = keyOf(2);
    const hex = key.slice('sha256:'.length);
    const shard = path.join(root, 'cache', 'records', hex.slice(0, 2));
    await store.put(keyOf(3), { result: 3 });
    await import('node:fs/promises').then((fs) => fs.mkdir(shard, { recursive: true }));
    // What write-file-atomic leaves when killed between write and rename: `<name>.<hash>`.
    await writeFile(path.join(shard, `${hex}.json.1234567`), '{"key":"half');
    expect(await store.get(key)).toBeUndefined();
    expect((await store.list()).map((r) => r.key)).toEqual([keyOf(3)]);
  });

  it('leaves no temp file behind after a put', async () => {
    const root = await tempDir();
    const store = await openCacheStore(root);
    const key = keyOf(4);
    await store.put(key, { result: null });
    const shard = path.join(root, 'cache', 'records', key.slice(7, 9));
    expect(await readdir(shard)).toEqual([`${key.slice(7)}.json`]);
  });

  it('writes through cache/tmp, and the next open removes what a killed writer left there', async () => {
    const root = await tempDir();
    const store = await openCacheStore(root);
    await store.put(keyOf(5), { result: 5 });
    const tmp = path.join(root, 'cache', 'tmp');
    expect(await readdir(tmp)).toEqual([]);
    // A writer killed between its write and its rename: its pid no longer exists.
    const { spawnSync } = await import('node:child_process');
    const dead = spawnSync('true').pid!;
    await writeFile(path.join(tmp, `${dead}-0123456789ab`), '{"key":"half');
    await writeFile(path.join(tmp, `${process.pid}-live`), '{"key":"being written');
    await openCacheStore(root);
    expect(await readdir(tmp)).toEqual([`${process.pid}-live`]);
  });

  it('touch moves last-used forward', async () => {
    const store = await openCacheStore(await tempDir());
    const key = keyOf(5);
    await store.put(key, { result: 1 });
    const before = (await store.list())[0]!.lastUsed;
    await new Promise((r) => setTimeout(r, 20));
    await store.touch(key);
    expect((await store.list())[0]!.lastUsed).toBeGreaterThan(before);
  });

  it('finds records with the same inputs or slot for --explain', async () => {
    const store = await openCacheStore(await tempDir());
    await store.put(keyOf(6), { result: 1, inputKeys: ['sha256:p'], slot: 'stage 0 step 2' });
    await store.put(keyOf(7), { result: 1, inputKeys: ['sha256:q'], slot: 'stage 0 step 3' });
    expect(await store.candidates({ inputKeys: ['sha256:p'] })).toEqual([keyOf(6)]);
    expect(await store.candidates({ slot: 'stage 0 step 3' })).toEqual([keyOf(7)]);
    expect(await store.candidates({ inputKeys: ['sha256:z'] })).toEqual([]);
  });

  it('refuses keys that are not sha256', async () => {
    const store = await openCacheStore(await tempDir());
    await expect(store.get('../../etc/passwd')).rejects.toThrow(/invalid cache key/);
  });
});
