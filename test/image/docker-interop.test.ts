import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendLayer,
  importRootfs,
  loadArchive,
  openImageStore,
  parseReference,
  resolveImage,
  saveImages,
  withContainerConfig,
  writeImage,
  writeLayerBlob,
} from '../../src/image/index.ts';
import { type Dockerd, dockerAvailable, startDockerd } from '../support/dockerd.ts';
import { busyboxRootfsTar, hasBusybox } from './support/rootfs.ts';
import { tempDir } from './support/tar.ts';

const missing = dockerAvailable() ?? (hasBusybox ? undefined : 'needs busybox-static');

describe.skipIf(missing !== undefined)(
  `docker load / docker save interop (${missing ?? 'dockerd available'})`,
  () => {
    let dockerd: Dockerd;
    let dir: string;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      ({ dir, cleanup } = await tempDir('tsbuild-docker-'));
      dockerd = await startDockerd();
    });
    afterAll(async () => {
      await dockerd?.stop();
      await cleanup?.();
    });

    it('docker loads two images from one tsbuild archive and runs them; docker save loads back', async () => {
      const store = await openImageStore(path.join(dir, 'store'));
      await importRootfs(store, await busyboxRootfsTar(dir), 'tsb-busybox:local', {
        config: { Cmd: ['sh'] },
      });
      const base = await resolveImage(store, 'tsb-busybox:local');
      const snap = path.join(dir, 'snap');
      await mkdir(path.join(snap, 'www'), { recursive: true });
      await writeFile(path.join(snap, 'www/index.html'), 'served by tsbuild\n');
      const layer = await writeLayerBlob(store, snap);
      let image = appendLayer(base.image, layer, { created_by: 'COPY index.html /www/' });
      image = withContainerConfig(image, (c) => ({ ...c, Cmd: ['cat', '/www/index.html'] }));
      await store.refs.set(parseReference('tsb-app:1'), await writeImage(store, image));

      const archive = path.join(dir, 'images.tar');
      const out = createWriteStream(archive);
      await saveImages(store, ['tsb-busybox:local', 'tsb-app:1'], out, {
        format: 'docker',
        compression: 'gzip',
      });
      await new Promise<void>((resolve) => out.end(resolve));
      const loaded = await dockerd.docker(['load', '-i', archive]);
      expect(loaded.stdout).toContain('tsb-busybox:local');
      expect(loaded.stdout).toContain('tsb-app:1');
      const ran = await dockerd.docker(['run', '--rm', '--network', 'none', 'tsb-app:1']);
      expect(ran.stdout).toBe('served by tsbuild\n');
      const id = (
        await dockerd.docker(['image', 'inspect', '--format', '{{.Id}}', 'tsb-app:1'])
      ).stdout.trim();
      expect(id).toBe((await resolveImage(store, 'tsb-app:1')).id);

      const saved = path.join(dir, 'docker-saved.tar');
      await dockerd.docker(['save', '-o', saved, 'tsb-app:1']);
      const other = await openImageStore(path.join(dir, 'other'));
      const [back] = await loadArchive(other, saved);
      expect(back?.names).toEqual(['tsb-app:1']);
      expect(back?.id).toBe(id);
    });
  },
);
