import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  appendLayer,
  type ImageStore,
  importRootfs,
  loadArchive,
  loadImage,
  openImageStore,
  parseReference,
  resolveImage,
  type SaveOptions,
  saveImages,
  sha256OfBytes,
  writeImage,
  writeLayerBlob,
} from '../../src/image/index.ts';
import { busyboxRootfsTar, hasBusybox, hasTool } from './support/rootfs.ts';
import { tempStorePerTest } from './support/store.ts';
import { buildTar, readTar } from './support/tar.ts';

const t = tempStorePerTest();

/** busybox:local (imported rootfs) and me/app:1 (one more layer on top). */
async function twoImages(store: ImageStore): Promise<void> {
  await importRootfs(store, await busyboxRootfsTar(t.dir), 'busybox:local', {
    config: { Cmd: ['sh'] },
    sourceDateEpoch: 0,
  });
  const base = await resolveImage(store, 'busybox:local');
  const snap = path.join(t.dir, 'snap');
  await mkdir(path.join(snap, 'www'), { recursive: true });
  await writeFile(path.join(snap, 'www/index.html'), '<h1>hi</h1>\n');
  const layer = await writeLayerBlob(store, snap, { sourceDateEpoch: 0 });
  const manifest = await writeImage(
    store,
    appendLayer(base.image, layer, { created_by: 'COPY index.html /www/' }),
  );
  await store.refs.set(parseReference('me/app:1'), manifest);
}

async function save(names: string[], options: SaveOptions): Promise<string> {
  const file = path.join(t.dir, `out-${options.format}-${options.compression ?? 'gzip'}.tar`);
  const out = createWriteStream(file);
  await saveImages(t.store, names, out, options);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return file;
}

async function freshStore(name: string): Promise<ImageStore> {
  return openImageStore(path.join(t.dir, name));
}

describe.skipIf(!hasBusybox)('saveImages / loadArchive (needs busybox-static)', () => {
  it.each(['docker', 'oci'] as const)('round-trips several images through a %s archive', async (format) => {
    await twoImages(t.store);
    const file = await save(['busybox:local', 'me/app:1'], { format, compression: 'gzip' });
    const entries = (await readTar(await readFile(file))).map((e) => e.header.name);
    expect(entries).toContain('index.json');
    expect(entries.includes('manifest.json')).toBe(format === 'docker');
    const other = await freshStore(`load-${format}`);
    const loaded = await loadArchive(other, file);
    expect(loaded.map((l) => l.names)).toEqual([['busybox:local'], ['me/app:1']]);
    for (const name of ['busybox:local', 'me/app:1']) {
      const [a, b] = [await resolveImage(t.store, name), await resolveImage(other, name)];
      expect(b.id).toBe(a.id);
      expect(b.manifestDescriptor.digest).toBe(a.manifestDescriptor.digest);
    }
  });

  it('loads a gzip-compressed archive and writes reproducible archives', async () => {
    await twoImages(t.store);
    const file = await save(['me/app:1'], { format: 'docker', compression: 'zstd' });
    const again = await readFile(await save(['me/app:1'], { format: 'docker', compression: 'zstd' }));
    expect(again.equals(await readFile(file))).toBe(true);
    const gz = `${file}.gz`;
    await pipeline(createReadStream(file), createGzip(), createWriteStream(gz));
    const loaded = await loadArchive(await freshStore('gz'), gz);
    expect(loaded[0]?.id).toBe((await resolveImage(t.store, 'me/app:1')).id);
  });

  it('refuses an archive whose blob does not match its digest', async () => {
    await twoImages(t.store);
    const file = await save(['busybox:local'], { format: 'oci', compression: 'none' });
    const bytes = await readFile(file);
    const at = bytes.indexOf('root:x:0:0:root');
    bytes.write('ROOT', at);
    await writeFile(file, bytes);
    await expect(loadArchive(await freshStore('bad'), file)).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
  });

  it('stops a layer that decompresses past the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(8 << 20));
    const config = Buffer.from(
      JSON.stringify({
        os: 'linux',
        architecture: 'amd64',
        rootfs: { type: 'layers', diff_ids: [sha256OfBytes('x')] },
      }),
    );
    const archive = await buildTar([
      { header: { name: 'config.json', type: 'file' }, data: config },
      { header: { name: 'layer.tar.gz', type: 'file' }, data: bomb },
      {
        header: { name: 'manifest.json', type: 'file' },
        data: JSON.stringify([{ Config: 'config.json', RepoTags: ['bomb:1'], Layers: ['layer.tar.gz'] }]),
      },
    ]);
    await expect(
      loadArchive(t.store, Readable.from([archive]), { maxLayerBytes: 1 << 20 }),
    ).rejects.toMatchObject({
      code: 'LAYER_UNSAFE',
    });
    expect(await t.store.refs.list()).toEqual([]);
  });

  it.skipIf(!hasTool('skopeo'))(
    'is read by skopeo, and skopeo docker-archive output loads back',
    async () => {
      await twoImages(t.store);
      const file = await save(['me/app:1'], { format: 'oci', compression: 'gzip' });
      const info = JSON.parse(execFileSync('skopeo', ['inspect', `oci-archive:${file}`]).toString()) as {
        Layers: string[];
        Os: string;
      };
      expect(info.Layers).toHaveLength(2);
      const dockerFormat = await save(['me/app:1'], { format: 'docker', compression: 'gzip' });
      const viaDocker = JSON.parse(
        execFileSync('skopeo', ['inspect', `docker-archive:${dockerFormat}`]).toString(),
      ) as {
        Layers: string[];
      };
      // docker-archive sources present uncompressed layers: skopeo lists the diff_ids.
      expect(viaDocker.Layers).toEqual((await resolveImage(t.store, 'me/app:1')).config.rootfs.diff_ids);
      const converted = path.join(t.dir, 'skopeo-docker.tar');
      execFileSync('skopeo', ['copy', `oci-archive:${file}`, `docker-archive:${converted}:me/app:copied`]);
      const other = await freshStore('skopeo');
      const [loaded] = await loadArchive(other, converted);
      expect(loaded?.names).toEqual(['me/app:copied']);
      expect(loaded?.id).toBe((await resolveImage(t.store, 'me/app:1')).id);
      const { image } = await loadImage(other, loaded!.manifest.digest);
      expect(image.layers.map((l) => l.mediaType)).toEqual([
        'application/vnd.oci.image.layer.v1.tar',
        'application/vnd.oci.image.layer.v1.tar',
      ]);
    },
  );

  it.skipIf(!hasTool('umoci'))('is unpacked by umoci', async () => {
    await twoImages(t.store);
    const file = await save(['me/app:1'], { format: 'oci', compression: 'gzip' });
    const layout = path.join(t.dir, 'layout');
    await mkdir(layout);
    execFileSync('tar', ['-xf', file, '-C', layout]);
    const bundle = path.join(t.dir, 'bundle');
    execFileSync('umoci', ['unpack', '--image', `${layout}:1`, bundle]);
    expect(await readFile(path.join(bundle, 'rootfs/www/index.html'), 'utf8')).toBe('<h1>hi</h1>\n');
    const config = JSON.parse(await readFile(path.join(bundle, 'config.json'), 'utf8')) as {
      process: { args: string[] };
    };
    expect(config.process.args).toEqual(['sh']);
  });
});
