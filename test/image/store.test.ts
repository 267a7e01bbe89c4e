import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  appendLayer,
  emptyImage,
  imageHistory,
  inspectImage,
  listImages,
  openImageStore,
  parseReference,
  resolveImage,
  sha256OfBytes,
  tagImage,
  withContainerConfig,
  writeImage,
  writeLayerBlob,
} from '../../src/image/index.ts';
import { tempStorePerTest } from './support/store.ts';

const t = tempStorePerTest();

async function buildImage(content: string, epoch = 0, copy = '') {
  const snap = path.join(t.dir, `snap-${sha256OfBytes(content).slice(7, 15)}${copy}`);
  await mkdir(snap, { recursive: true });
  await writeFile(path.join(snap, 'file'), content);
  await utimes(path.join(snap, 'file'), new Date(), new Date(Date.now() + copy.length * 10_000_000));
  const layer = await writeLayerBlob(t.store, snap, { sourceDateEpoch: epoch });
  let image = appendLayer(emptyImage({ sourceDateEpoch: epoch }), layer, { created_by: `COPY ${content}` });
  image = withContainerConfig(image, (c) => ({ ...c, Cmd: ['sh'] }));
  return { image, layer, manifest: await writeImage(t.store, image) };
}

describe('blob store', () => {
  it('stores by digest, verifies expected digest and size, and leaves ingest empty', async () => {
    const bytes = Buffer.from('hello');
    const digest = sha256OfBytes(bytes);
    expect(await t.store.blobs.put(Readable.from([bytes]), { digest, size: 5 })).toEqual({ digest, size: 5 });
    expect(await t.store.blobs.has(digest)).toBe(true);
    expect(await t.store.blobs.size(digest)).toBe(5);
    expect((await t.store.blobs.read(digest)).toString()).toBe('hello');
    await expect(
      t.store.blobs.put(Buffer.from('evil'), { digest: sha256OfBytes('other') }),
    ).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    await expect(t.store.blobs.put(Buffer.from('toolong'), { size: 3 })).rejects.toThrow(
      /larger than the 3 bytes/,
    );
    await expect(t.store.blobs.open(sha256OfBytes('missing'))).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
    });
    expect(await readdir(path.join(t.store.root, 'ingest'))).toEqual([]);
    const listed: string[] = [];
    for await (const d of t.store.blobs.list()) listed.push(d);
    expect(listed).toEqual([digest]);
  });

  it('sweeps ingest leftovers of dead writers when opened', async () => {
    const ingest = path.join(t.store.root, 'ingest');
    await writeFile(path.join(ingest, '999999999-abc-blob'), 'partial');
    await writeFile(path.join(ingest, `${process.pid}-live-blob`), 'mine');
    await openImageStore(t.store.root);
    expect(await readdir(ingest)).toEqual([`${process.pid}-live-blob`]);
  });
});

describe('images, tags and names', () => {
  it('tags, resolves by name and ID, lists, inspects and shows history', async () => {
    const { manifest, layer } = await buildImage('one');
    await t.store.refs.set(parseReference('busybox:local'), manifest);
    await tagImage(t.store, 'busybox:local', 'me/app:1');
    const resolved = await resolveImage(t.store, 'busybox:local');
    expect(resolved.manifestDescriptor.digest).toBe(manifest.digest);
    expect((await resolveImage(t.store, resolved.id.slice(7, 19))).id).toBe(resolved.id);
    expect((await resolveImage(t.store, `busybox@${manifest.digest}`)).id).toBe(resolved.id);
    await expect(resolveImage(t.store, 'nope')).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });

    const rows = await listImages(t.store);
    expect(rows.map((r) => `${r.repository}:${r.tag}`)).toEqual(['busybox:local', 'me/app:1']);
    expect(rows[0]).toMatchObject({
      id: resolved.id,
      size: layer.descriptor.size,
      created: '1970-01-01T00:00:00Z',
    });

    const info = await inspectImage(t.store, 'me/app:1');
    expect(info.repoTags).toEqual(['busybox:local', 'me/app:1']);
    expect(info.config.Cmd).toEqual(['sh']);
    expect(info.layers).toEqual([{ descriptor: layer.descriptor, diffId: layer.diffId }]);
    const history = await imageHistory(t.store, 'busybox:local');
    expect(history).toEqual([
      {
        layer: layer.diffId,
        created: undefined,
        createdBy: 'COPY one',
        size: layer.descriptor.size,
        comment: '',
        emptyLayer: false,
      },
    ]);
  });

  it('lists the good names when one tag file is damaged, and reports the damaged one on lookup', async () => {
    const { manifest } = await buildImage('one');
    await t.store.refs.set(parseReference('good:1'), manifest);
    await t.store.refs.set(parseReference('bad:1'), manifest);
    await writeFile(path.join(t.store.root, 'refs/docker.io/library/bad/_tags/1'), '{"torn');
    expect((await listImages(t.store)).map((r) => r.repository)).toEqual(['good']);
    await expect(t.store.refs.get(parseReference('bad:1'))).rejects.toMatchObject({ code: 'STORE' });
  });

  it('gives identical digests for identical inputs under SOURCE_DATE_EPOCH', async () => {
    const a = await buildImage('same', 1700000000);
    const b = await buildImage('same', 1700000000, '-again');
    expect(a.layer.diffId).toBe(b.layer.diffId);
    expect(a.manifest.digest).toBe(b.manifest.digest);
  });

  it('refuses to store an image whose layer blob is missing', async () => {
    const image = appendLayer(emptyImage(), {
      descriptor: {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: sha256OfBytes('x'),
        size: 1,
      },
      diffId: sha256OfBytes('x'),
    });
    await expect(writeImage(t.store, image)).rejects.toThrow(/not in the store/);
  });
});
