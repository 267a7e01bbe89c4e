import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type CacheDefinition,
  type CacheStore,
  computeCacheKey,
  createContextHasher,
  explainMiss,
  openCacheStore,
} from '../../src/cache/index.ts';
import { tempDirsForEachTest } from './tmp.ts';

const tempDir = tempDirsForEachTest();

async function record(store: CacheStore, definition: CacheDefinition, inputKeys: string[], slot?: string) {
  await store.put(computeCacheKey(definition, inputKeys), {
    result: null,
    definition,
    inputKeys,
    ...(slot !== undefined && { slot }),
  });
}

const make = { instruction: 'RUN make', args: ['VERSION=1.2'], env: ['PATH=/bin'] };

describe('explainMiss', () => {
  it('says there is no record for a step never built', async () => {
    const store = await openCacheStore(await tempDir());
    expect(
      await explainMiss(store, { definition: make, inputKeys: ['sha256:p'], description: 'RUN make' }),
    ).toBe('RUN make: no cache record');
  });

  it('names a changed ARG with its old and new value', async () => {
    const store = await openCacheStore(await tempDir());
    await record(store, make, ['sha256:p']);
    const query = {
      definition: { ...make, args: ['VERSION=1.3'] },
      inputKeys: ['sha256:p'],
      description: 'RUN make',
    };
    expect(await explainMiss(store, query)).toBe('RUN make: ARG VERSION 1.2 → 1.3');
  });

  it('names a changed base image digest', async () => {
    const store = await openCacheStore(await tempDir());
    const old = `sha256:${'a'.repeat(64)}`;
    const now = `sha256:${'b'.repeat(64)}`;
    await record(store, { op: 'source', image: old }, [], 'stage 0 FROM');
    const why = await explainMiss(store, {
      definition: { op: 'source', image: now },
      inputKeys: [],
      slot: 'stage 0 FROM',
      description: 'FROM',
    });
    expect(why).toBe('FROM: base image changed (sha256:aaaaaaaaaaaa → sha256:bbbbbbbbbbbb)');
  });

  it('says the previous step changed when only the parent differs (found by slot)', async () => {
    const store = await openCacheStore(await tempDir());
    await record(store, make, ['sha256:old-parent'], 'build/3');
    const why = await explainMiss(store, {
      definition: make,
      inputKeys: ['sha256:new-parent'],
      slot: 'build/3',
    });
    expect(why).toBe('the previous step changed');
  });

  it('names the first file whose content changed, was added or deleted', async () => {
    const root = await tempDir();
    const store = await openCacheStore(root);
    const ctx = await tempDir('tsbuild-ctx-');
    await mkdir(path.join(ctx, 'src'));
    await writeFile(path.join(ctx, 'src/main.ts'), 'v1');
    await writeFile(path.join(ctx, 'src/util.ts'), 'u');
    const hasher = createContextHasher();
    const copy = { instruction: 'COPY . /app' };
    const before = await hasher.checksum(ctx, { sources: ['.'] });
    await store.put(computeCacheKey(copy, ['sha256:p'], before.digest), {
      result: null,
      definition: copy,
      inputKeys: ['sha256:p'],
      content: before,
    });
    const ask = async () =>
      explainMiss(store, {
        definition: copy,
        inputKeys: ['sha256:p'],
        content: await hasher.checksum(ctx, { sources: ['.'] }),
        description: 'COPY . /app',
      });
    await writeFile(path.join(ctx, 'src/main.ts'), 'v2');
    expect(await ask()).toBe('COPY . /app: src/main.ts content changed');
    await writeFile(path.join(ctx, 'src/main.ts'), 'v1');
    await writeFile(path.join(ctx, 'src/extra.ts'), 'new');
    expect(await ask()).toBe('COPY . /app: src/extra.ts added');
    await import('node:fs/promises').then((fs) => fs.rm(path.join(ctx, 'src/extra.ts')));
    await import('node:fs/promises').then((fs) => fs.chmod(path.join(ctx, 'src/util.ts'), 0o755));
    expect(await ask()).toBe('COPY . /app: src/util.ts mode 644 → 755');
  });

  it('prefers the nearest record: the one with the fewest differences', async () => {
    const store = await openCacheStore(await tempDir());
    await record(store, { ...make, instruction: 'RUN make all', env: ['PATH=/usr/bin'] }, ['sha256:p']);
    await record(store, { ...make, env: ['PATH=/usr/bin'] }, ['sha256:p']);
    const why = await explainMiss(store, { definition: make, inputKeys: ['sha256:p'] });
    expect(why).toBe('ENV PATH /usr/bin → /bin');
  });
});
