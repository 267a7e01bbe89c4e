import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendLayer,
  emptyImage,
  type ImageStore,
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
import { tempDir } from './support/tar.ts';

let dir: string;
let cleanup: () => Promise<void>;
let store: ImageStore;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  store = await openImageStore(path.join(dir, 'root'));
});
afterEach(async () => cleanup());

async function buildImage(content: string, epoch = 0, copy = '') {
  const snap = path.join(dir, `snap-${sha256OfBytes(content).slice(7, 15)}${copy}`);
  await mkdir(snap, { recursive: true });
  await writeFile(path.join(snap, 'file'), content);
  await utimes(path.join(snap, 'file'), new Date(), new Date(Date.now() + copy.length * 10_000_000));
  const layer = await writeLayerBlob(store, snap, { sourceDateEpoch: epoch });
  let image = appendLayer(emptyImage({ sourceDateEpoch: epoch }), layer, { created_by: `COPY ${content}` });
  image = withContainerConfig(image, (c) => ({ ...c, Cmd: ['sh'] }));
  return { image, layer, manifest: await writeImage(store, image) };
}

describe('blob store', () => {
  it('stores by digest, verifies expected digest and size, and leaves ingest empty', async () => {
    const bytes = Buffer.from('hello');
    const digest = sha256OfBytes(bytes);
    expect(await store.blobs.put(Readable.from([bytes]), { digest, size: 5 })).toEqual({ digest, size: 5 });
    expect(await store.blobs.has(digest)).toBe(true);
    expect(await store.blobs.size(digest)).toBe(5);
    expect((await store.blobs.read(digest)).toString()).toBe('hello');
    await expect(
      store.blobs.put(Buffer.from('evil'), { digest: sha256OfBytes('other') }),
    ).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
    await expect(store.blobs.put(Buffer.from('toolong'), { size: 3 })).rejects.toThrow(
      /larger than the 3 bytes/,
    );
    await expect(store.blobs.open(sha256OfBytes('missing'))).rejects.toMatchObject({
      code: 'IMAGE_NOT_FOUND',
    });
    expect(await readdir(path.join(store.root, 'ingest'))).toEqual([]);
    const listed: string[] = [];
    for await (const d of store.blobs.list()) listed.push(d);
    expect(listed).toEqual([digest]);
  });

  it('sweeps ingest leftovers of dead writers when opened', async () => {
    const ingest = path.join(store.root, 'ingest');
    await writeFile(path.join(ingest, '999999999-abc-blob'), 'partial');
    await writeFile(path.join(ingest, `${process.pid}-live-blob`), 'mine');
    await openImageStore(store.root);
    expect(await readdir(ingest)).toEqual([`${process.pid}-live-blob`]);
  });
});

describe('images, tags and names', () => {
  it('tags, resolves by name and ID, lists, inspects and shows history', async () => {
    const { manifest, layer } = await buildImage('one');
    await store.refs.set(parseReference('busybox:local'), manifest);
    await tagImage(store, 'busybox:local', 'me/app:1');
    const resolved = await resolveImage(store, 'busybox:local');
    expect(resolved.manifestDescriptor.digest).toBe(manifest.digest);
    expect((await resolveImage(store, resolved.id.slice(7, 19))).id).toBe(resolved.id);
    expect((await resolveImage(store, `busybox@${manifest.digest}`)).id).toBe(resolved.id);
    await expect(resolveImage(store, 'nope')).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' });

    const rows = await listImages(store);
    expect(rows.map((r) => `${r.repository}:${r.tag}`)).toEqual(['busybox:local', 'me/app:1']);
    expect(rows[0]).toMatchObject({
      id: resolved.id,
      size: layer.descriptor.size,
      created: '1970-01-01T00:00:00Z',
    });

    const info = await inspectImage(store, 'me/app:1');
    expect(info.repoTags).toEqual(['busybox:local', 'me/app:1']);
    expect(info.config.Cmd).toEqual(['sh']);
    expect(info.layers).toEqual([{ descriptor: layer.descriptor, diffId: layer.diffId }]);
    const history = await imageHistory(store, 'busybox:local');
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
    await expect(writeImage(store, image)).rejects.toThrow(/not in the store/);
  });
});
