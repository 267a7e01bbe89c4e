/**
 * A small but complete store made through the library (no containers): one image of two layers
 * tagged `small:latest`, both layers committed as a snapshot chain, and a cache record per layer,
 * as a build would leave them. For store-check tests.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openCacheStore } from '../../../src/cache/index.ts';
import { createSnapshotter } from '../../../src/executor/index.ts';
import {
  appendLayer,
  chainIdOf,
  type Digest,
  emptyImage,
  openImageStore,
  parseReference,
  sha256OfBytes,
  writeImage,
  writeLayerBlob,
} from '../../../src/image/index.ts';

export interface SmallStore {
  readonly root: string;
  readonly manifest: Digest;
  readonly config: Digest;
  readonly layers: readonly Digest[];
  readonly snapshots: readonly string[];
  /** Cache keys of the two records, bottom layer first. */
  readonly keys: readonly string[];
}

export const keyOf = (text: string): string => sha256OfBytes(text);

export async function makeSmallStore(root: string): Promise<SmallStore> {
  const store = await openImageStore(root);
  const cache = await openCacheStore(root);
  const snapshotter = createSnapshotter({ root, kind: 'overlay' });
  let image = emptyImage({ sourceDateEpoch: 0 });
  const layers: { mediaType: string; digest: Digest; diffId: Digest; size: number }[] = [];
  const snapshots: string[] = [];
  const keys: string[] = [];
  let parent: string | undefined;
  for (const [i, file] of ['one.txt', 'two.txt'].entries()) {
    const active = await snapshotter.prepare(parent);
    await mkdir(path.join(active.upperDir, 'data'), { recursive: true });
    await writeFile(path.join(active.upperDir, 'data', file), `layer ${i}\n`);
    const layer = await writeLayerBlob(store, active.upperDir, { sourceDateEpoch: 0 });
    layers.push({ ...layer.descriptor, diffId: layer.diffId });
    image = appendLayer(image, layer, { created_by: `COPY ${file} /data/` });
    parent = await active.commit({ chainId: chainIdOf(layers.map((l) => l.diffId)) });
    snapshots.push(parent);
    const key = keyOf(`step ${i}`);
    keys.push(key);
    await cache.put(key, {
      result: { layers: [...layers], snapshotId: parent, stepLayers: layers.map(() => true) },
      description: `COPY ${file} /data/`,
      snapshotId: parent,
      layer: { digest: layer.descriptor.digest, diffId: layer.diffId, size: layer.descriptor.size },
    });
  }
  const manifest = await writeImage(store, image);
  await store.refs.set(parseReference('small:latest'), manifest);
  const configDigest = JSON.parse((await store.blobs.read(manifest.digest)).toString()).config
    .digest as Digest;
  return {
    root,
    manifest: manifest.digest,
    config: configDigest,
    layers: layers.map((l) => l.digest),
    snapshots,
    keys,
  };
}
