import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256OfBytes } from '../../src/image/digest.ts';
import { appendLayer, emptyImage, withContainerConfig } from '../../src/image/image.ts';
import { OCI_LAYER_GZIP } from '../../src/image/media-types.ts';
import { parseReference } from '../../src/image/reference.ts';
import { writeImage } from '../../src/image/store/documents.ts';
import { pushImage } from '../../src/registry/index.ts';
import { type Dockerd, dockerAvailable, startDockerd } from '../support/dockerd.ts';
import { hasRegistryBinary, startRegistry, type TestRegistry } from '../support/registry.ts';
import { storePool, tarOf } from './helpers.ts';

const BUSYBOX = '/bin/busybox';
const skipReason =
  dockerAvailable() ??
  (hasRegistryBinary ? undefined : 'needs /usr/bin/docker-registry') ??
  (existsSync(BUSYBOX) ? undefined : 'needs busybox-static for a runnable image');

describe.skipIf(skipReason !== undefined)(
  `docker pulls what tsbuild pushed (${skipReason ?? 'dockerd + registry'})`,
  () => {
    let registry: TestRegistry;
    let dockerd: Dockerd;
    const pool = storePool();

    beforeAll(async () => {
      [registry, dockerd] = await Promise.all([startRegistry(), startDockerd()]);
    });
    afterAll(async () => {
      await Promise.all([registry?.stop(), dockerd?.stop()]);
      await pool.cleanup();
    });

    it('docker pull + docker run of an image pushed by tsbuild to the loopback registry', async () => {
      const store = (await pool.next()).store;
      const tar = await tarOf({
        'bin/busybox': await readFile(BUSYBOX),
        'etc/greeting': 'pushed by tsbuild\n',
      });
      const gz = gzipSync(tar);
      const descriptor = { mediaType: OCI_LAYER_GZIP, digest: sha256OfBytes(gz), size: gz.length };
      await store.blobs.put(gz, descriptor);
      const image = withContainerConfig(
        appendLayer(emptyImage({ platform: { os: 'linux', architecture: 'amd64' }, sourceDateEpoch: 0 }), {
          descriptor,
          diffId: sha256OfBytes(tar),
        }),
        (c) => ({ ...c, Cmd: ['/bin/busybox', 'cat', '/etc/greeting'] }),
      );
      await store.refs.set(parseReference('interop:1'), await writeImage(store, image));
      const ref = `${registry.host}/interop/greeter:1`;
      const pushed = await pushImage(store, 'interop:1', ref, {
        credentials: { get: async () => undefined },
      });

      const pull = await dockerd.docker(['pull', ref]);
      expect(pull.stdout).toContain(pushed.digest);
      const { stdout } = await dockerd.docker(['run', '--rm', '--network', 'none', ref]);
      expect(stdout).toBe('pushed by tsbuild\n');
    });
  },
);
