import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  collectGarbage,
  digestOfStream,
  listImages,
  openImageStore,
  resolveImage,
} from '../../src/image/index.ts';
import { tempStorePerTest } from './support/store.ts';

const t = tempStorePerTest();
const here = path.dirname(fileURLToPath(import.meta.url));
const writer = path.join(here, 'support/store-writer.ts');
const node = path.join(here, '../../node_modules/.bin/node');

function start(root: string, mode: string, id: string): ChildProcess {
  return spawn(node, [writer, root, mode, id], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function finish(child: ChildProcess): Promise<string> {
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(code, out).toBe(0);
  return out;
}

describe('store under concurrent processes', () => {
  it('four processes writing the same blob and tag leave a valid store', async () => {
    const root = t.store.root;
    const children = ['1', '2', '3', '4'].map((id) => start(root, 'race', id));
    const outputs = await Promise.all(children.map(finish));
    expect(outputs.every((o) => o.includes('done'))).toBe(true);
    const store = await openImageStore(root);
    const resolved = await resolveImage(store, 'race:latest');
    expect(resolved.config.history?.[0]?.created_by).toMatch(/^writer [1-4] round 4$/);
    const layer = resolved.manifest.layers[0]!;
    expect(await store.blobs.size(layer.digest)).toBe(layer.size);
    expect((await digestOfStream(await store.blobs.open(layer.digest))).digest).toBe(layer.digest);
    expect(await readdir(path.join(root, 'ingest'))).toEqual([]);
    expect((await listImages(store)).map((r) => `${r.repository}:${r.tag}`)).toEqual(['race:latest']);
    await collectGarbage(store);
    await resolveImage(store, 'race:latest');
  });

  it('a writer killed mid-blob leaves nothing in blobs/, and the next open sweeps its temp file', async () => {
    const root = t.store.root;
    const child = start(root, 'hang', '1');
    const [first] = (await once(child.stdout!, 'data')) as [Buffer];
    expect(first.toString()).toContain('writing');
    expect((await readdir(path.join(root, 'ingest'))).length).toBe(1);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const blobsBefore = await readdir(path.join(root, 'blobs/sha256'));
    expect(blobsBefore).toEqual([]);
    await openImageStore(root);
    expect(await readdir(path.join(root, 'ingest'))).toEqual([]);
  });
});
