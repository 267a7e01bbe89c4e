/**
 * The one base image every engine builds FROM: the busybox rootfs of fixtures/busybox, pushed once
 * as a one-layer gzip image to the loopback registry, so each engine pulls the same bytes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sha256OfBytes } from '../../src/image/digest.ts';
import { appendLayer, emptyImage, withConfig } from '../../src/image/image.ts';
import { OCI_LAYER_GZIP } from '../../src/image/media-types.ts';
import { parseReference } from '../../src/image/reference.ts';
import { writeImage } from '../../src/image/store/documents.ts';
import { openImageStore } from '../../src/image/store/store.ts';
import { pushImage } from '../../src/registry/index.ts';

const REPO = resolve(import.meta.dirname, '../..');
const noCredentials = { get: async () => undefined };

/** Pushes busybox to `registryHost` as `busybox:bench`; returns the full reference. */
export async function pushBaseImage(registryHost: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'tsbuild-bench-base-'));
  try {
    const rootfs = join(work, 'rootfs.tar');
    execFileSync(join(REPO, 'fixtures/busybox/make-rootfs.sh'), [rootfs], { stdio: 'inherit' });
    const tar = await readFile(rootfs);
    const gz = gzipSync(tar, { level: 6 });
    const store = await openImageStore(join(work, 'store'));
    const descriptor = { mediaType: OCI_LAYER_GZIP, digest: sha256OfBytes(gz), size: gz.length };
    await store.blobs.put(gz, descriptor);
    const layered = appendLayer(
      emptyImage({ sourceDateEpoch: 0 }),
      { descriptor, diffId: sha256OfBytes(tar) },
      { created_by: 'fixtures/busybox/make-rootfs.sh' },
    );
    const image = withConfig(layered, {
      config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    });
    await store.refs.set(parseReference('busybox:bench'), await writeImage(store, image));
    const target = `${registryHost}/busybox:bench`;
    await pushImage(store, 'busybox:bench', target, { credentials: noCredentials });
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
