import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appendLayer,
  collectGarbage,
  type Digest,
  emptyImage,
  ensureCompressed,
  type Image,
  type ImageStore,
  parseReference,
  removeImage,
  resolveImage,
  sha256OfBytes,
  writeImage,
  writeLayerBlob,
} from '../../src/image/index.ts';
import { tempStorePerTest } from './support/store.ts';

const t = tempStorePerTest();

async function layerOf(store: ImageStore, content: string) {
  const snap = path.join(t.dir, `snap-${sha256OfBytes(content).slice(7, 19)}`);
  await mkdir(snap, { recursive: true });
  await writeFile(path.join(snap, 'f'), content);
  return writeLayerBlob(store, snap, { sourceDateEpoch: 0 });
}

async function tagged(store: ImageStore, name: string, image: Image) {
  const manifest = await writeImage(store, image);
  await store.refs.set(parseReference(name), manifest);
  return manifest;
}

async function blobs(store: ImageStore): Promise<Digest[]> {
  const out: Digest[] = [];
  for await (const d of store.blobs.list()) out.push(d);
  return out.sort();
}

/** base:1 = [A]; app:1 = [A, B]. */
async function twoImages(store: ImageStore) {
  const a = await layerOf(store, 'base layer');
  const b = await layerOf(store, 'app layer');
  const base = appendLayer(emptyImage({ sourceDateEpoch: 0 }), a);
  await tagged(store, 'base:1', base);
  await tagged(store, 'app:1', appendLayer(base, b));
  return { a, b };
}

describe('removeImage (rmi)', () => {
  it('untags, then deletes only blobs no other image needs', async () => {
    const { a, b } = await twoImages(t.store);
    const events = await removeImage(t.store, 'app:1');
    expect(events[0]).toEqual({ untagged: 'app:1' });
    const deleted = events.flatMap((e) => ('deleted' in e ? [e.deleted] : []));
    expect(deleted).toContain(b.diffId);
    expect(deleted).not.toContain(a.diffId);
    expect(await t.store.blobs.has(a.diffId)).toBe(true);
    await removeImage(t.store, 'base:1');
    expect(await blobs(t.store)).toEqual([]);
  });

  it('only untags while another name still points at the image', async () => {
    await twoImages(t.store);
    await t.store.refs.set(parseReference('app:latest'), (await t.store.refs.get(parseReference('app:1')))!);
    expect(await removeImage(t.store, 'app:1')).toEqual([{ untagged: 'app:1' }]);
  });

  it('refuses an ID with several names unless forced', async () => {
    await twoImages(t.store);
    await t.store.refs.set(parseReference('other:2'), (await t.store.refs.get(parseReference('app:1')))!);
    const { id } = await resolveImage(t.store, 'app:1');
    await expect(removeImage(t.store, id)).rejects.toThrow(/referenced by 2 names/);
    const events = await removeImage(t.store, id, { force: true });
    expect(events.slice(0, 2)).toEqual([{ untagged: 'app:1' }, { untagged: 'other:2' }]);
    expect(events.some((e) => 'deleted' in e && e.deleted === id)).toBe(true);
  });

  it('keeps blobs that another module declares through gcRoots', async () => {
    const { b } = await twoImages(t.store);
    const unregister = t.store.gcRoots.register('cache', () => [b.diffId]);
    await removeImage(t.store, 'app:1');
    expect(await t.store.blobs.has(b.diffId)).toBe(true);
    expect((await collectGarbage(t.store)).removed).not.toContain(b.diffId);
    unregister();
    expect((await collectGarbage(t.store)).removed).toContain(b.diffId);
  });

  it('removes the compressed forms made for export along with their layer', async () => {
    const { b } = await twoImages(t.store);
    const gz = await ensureCompressed(t.store, b.descriptor, { compression: 'gzip' });
    expect((await collectGarbage(t.store)).removed).toEqual([]);
    const events = await removeImage(t.store, 'app:1');
    expect(events).toContainEqual({ deleted: gz.digest });
    expect(await readdir(path.join(t.store.root, 'compressed', 'gzip-6'))).toEqual([]);
  });
});

describe('collectGarbage', () => {
  it('removes unreferenced blobs, sparing ones within the grace period', async () => {
    await twoImages(t.store);
    const before = await blobs(t.store);
    const orphan = (await t.store.blobs.put(Buffer.from('orphan'))).digest;
    expect((await collectGarbage(t.store, { graceMs: 60_000 })).removed).toEqual([]);
    const result = await collectGarbage(t.store);
    expect(result).toEqual({ removed: [orphan], freedBytes: 6 });
    expect(await blobs(t.store)).toEqual(before);
  });
});
