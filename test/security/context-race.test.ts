/**
 * A context file that changes while the build reads it: between the checksum that makes COPY's
 * cache key and the copy itself. The step must not record one file's bytes under the other's
 * key — that would hand a later build a stale image from the cache — so it fails, naming the
 * file. Made deterministic by changing the file the moment the COPY step starts running (after
 * its key is computed).
 */
import { writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openImageStore, parseDigest, readManifest } from '../../src/image/index.ts';
import { type BuildEvent, createBuilder, isTsbuildError } from '../../src/index.ts';
import { readTar } from '../image/support/tar.ts';
import { E2E_REASON, E2E_SKIP } from '../support/cli.ts';
import { useBusyboxStore } from './support/busybox-store.ts';

/** The content of `name` in the image's last layer. */
async function fileInTopLayer(root: string, manifestDigest: string, name: string): Promise<string> {
  const store = await openImageStore(root);
  const manifest = await readManifest(store, parseDigest(manifestDigest));
  const top = manifest.layers.at(-1)!;
  const entries = await readTar(await store.blobs.open(top.digest));
  return entries.find((e) => e.header.name === name)?.data.toString() ?? '(missing)';
}

describe.skipIf(E2E_SKIP)(`a context file that changes during the build (${E2E_REASON})`, () => {
  const store = useBusyboxStore('tsbuild-ctx-race-');

  it('never caches the new bytes under the old key', async () => {
    const context = path.join(store.dir, 'context');
    await mkdir(context);
    await writeFile(path.join(context, 'Dockerfile'), 'FROM busybox:local\nCOPY data /data\n');
    const data = path.join(context, 'data');
    await writeFile(data, 'A'.repeat(4096));
    const builder = await createBuilder({ root: store.root });
    try {
      const swap = (e: BuildEvent) => {
        if (e.type === 'vertex.started' && e.vertex.name.includes('COPY data')) {
          // Synchronously, before the step's run reads the file.
          writeFileSync(data, 'B'.repeat(4096));
        }
      };
      const raced = await builder
        .build({ context, sourceDateEpoch: 0, onEvent: swap })
        .catch((e: unknown) => e);
      expect(isTsbuildError(raced, 'CONTEXT'), String(raced)).toBe(true);
      expect((raced as Error).message).toBe('COPY data /data: data changed while the build was reading it');
      // The file back as it was hashed first: the build must give that content, cached or not.
      await writeFile(data, 'A'.repeat(4096));
      const again = await builder.build({ context, sourceDateEpoch: 0 });
      expect((await fileInTopLayer(store.root, again.manifestDigest, 'data'))[0]).toBe('A');
    } finally {
      await builder.close();
    }
  });
});
