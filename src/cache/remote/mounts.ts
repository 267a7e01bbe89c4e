/**
 * Imported `RUN --mount=type=cache` directories: each becomes instance 0 of its mount (the one
 * shared and locked users take), unpacked into a temp dir and renamed into place, so a step
 * never sees half of one. A mount this store already has is kept: it is at least as fresh.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { applyLayer, type Digest, type ImageStore } from '../../image/index.ts';
import { storeDirs } from '../gc/du.ts';
import type { ExportedMount, ResultLayer } from './format.ts';

export async function importMounts(
  store: ImageStore,
  mounts: readonly ExportedMount[],
  layerOf: (diffId: Digest) => Promise<ResultLayer>,
): Promise<number> {
  const base = storeDirs(store.root).mounts;
  let count = 0;
  for (const mount of mounts) {
    const keyDir = path.join(base, mount.dir);
    const instance = path.join(keyDir, '0');
    if ((await stat(instance).catch(() => undefined)) !== undefined) continue;
    const layer = await layerOf(mount.diffId);
    await mkdir(keyDir, { recursive: true });
    const temp = path.join(keyDir, `.import-${randomBytes(4).toString('hex')}`);
    await mkdir(temp);
    try {
      await applyLayer(await store.blobs.open(layer.digest), temp);
      await writeFile(path.join(keyDir, 'id'), `${mount.id}\n`);
      await rename(temp, instance);
      count += 1;
    } catch (err) {
      await rm(temp, { recursive: true, force: true });
      // Another process created the instance meanwhile: theirs is as good.
      if ((await stat(instance).catch(() => undefined)) === undefined) throw err;
    }
  }
  return count;
}
