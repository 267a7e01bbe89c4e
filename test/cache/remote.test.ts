/**
 * Remote cache export/import between two stores, without a build: records with layer blobs are
 * exported to a local OCI layout and to a real loopback registry, and imported into an empty
 * store, which then holds the same records (minus snapshot ids) and every blob they need.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CacheExportSpec,
  type CacheStore,
  computeCacheKey,
  exportCache,
  importCache,
  openCacheStore,
  parseCacheExportSpec,
  parseCacheImportSpec,
} from '../../src/cache/index.ts';
import { type ImageStore, openImageStore, writeLayerBlob } from '../../src/image/index.ts';
import { hasRegistryBinary, startRegistry, type TestRegistry } from '../support/registry.ts';
import { tempDirsForEachTest } from './tmp.ts';

const tempDir = tempDirsForEachTest();
const PLATFORM = { os: 'linux', architecture: 'amd64' };

interface Machine {
  readonly root: string;
  readonly store: ImageStore;
  readonly cache: CacheStore;
}

async function machine(): Promise<Machine> {
  const root = await tempDir('tsbuild-remote-');
  return { root, store: await openImageStore(root), cache: await openCacheStore(root) };
}

interface Layer {
  readonly mediaType: string;
  readonly digest: string;
  readonly diffId: string;
  readonly size: number;
}

async function layerOf(m: Machine, files: Record<string, string>): Promise<Layer> {
  const dir = await tempDir('tsbuild-layer-');
  for (const [name, content] of Object.entries(files)) await writeFile(path.join(dir, name), content);
  const blob = await writeLayerBlob(m.store, dir, { sourceDateEpoch: 0 });
  return { ...blob.descriptor, diffId: blob.diffId };
}

/** A two-stage build's records: base → a → b (final image) and a side stage base → c. */
async function buildRecords(m: Machine) {
  const base = await layerOf(m, { 'base.txt': 'base' });
  const a = await layerOf(m, { 'a.txt': 'a' });
  const b = await layerOf(m, { 'b.txt': 'b' });
  const c = await layerOf(m, { 'c.txt': 'c' });
  const keys = {
    a: computeCacheKey({ op: 'a' }, []),
    b: computeCacheKey({ op: 'b' }, []),
    empty: computeCacheKey({ op: 'empty-run' }, []),
    c: computeCacheKey({ op: 'c' }, []),
  };
  const put = (key: string, layers: Layer[], snapshotId: string, description: string) =>
    m.cache.put(key, {
      result: { layers, snapshotId, stepLayers: layers.map(() => true) },
      definition: { op: description },
      description,
      inputKeys: [],
    });
  await put(keys.a, [base, a], 'snap-a', 'RUN a');
  await put(keys.b, [base, a, b], 'snap-b', 'RUN b');
  await put(keys.empty, [base, a, b], 'snap-b', 'RUN true');
  await put(keys.c, [base, c], 'snap-c', 'RUN c');
  return { keys, imageDiffIds: [base.diffId, a.diffId, b.diffId], layers: { base, a, b, c } };
}

async function blobCount(dir: string): Promise<number> {
  return (await readdir(path.join(dir, 'blobs', 'sha256'))).length;
}

describe('cache spec parsing', () => {
  it('reads BuildKit attribute names with defaults', () => {
    expect(parseCacheExportSpec({ type: 'local', attrs: { dest: '/c', mode: 'max' } })).toEqual({
      type: 'local',
      dest: '/c',
      tag: 'latest',
      mode: 'max',
      compression: 'uncompressed',
      cacheMounts: false,
    });
    expect(
      parseCacheExportSpec({ type: 'registry', attrs: { ref: 'r/x:c', 'cache-mounts': 'true' } }),
    ).toMatchObject({ type: 'registry', ref: 'r/x:c', mode: 'min', cacheMounts: true });
    expect(parseCacheExportSpec({ type: 'inline', attrs: {} })).toEqual({ type: 'inline' });
    expect(parseCacheImportSpec({ type: 'local', attrs: { src: '/c' } })).toEqual({
      type: 'local',
      src: '/c',
      tag: 'latest',
    });
  });

  it('refuses unknown types, missing and unknown options with a hint', () => {
    expect(() => parseCacheExportSpec({ type: 'gha', attrs: {} })).toThrow(/unknown cache type "gha"/);
    expect(() => parseCacheExportSpec({ type: 'local', attrs: {} })).toThrow(/needs dest=/);
    expect(() => parseCacheExportSpec({ type: 'local', attrs: { dest: 'x', mode: 'all' } })).toThrow(
      /mode=all is not one of min, max/,
    );
    expect(() => parseCacheImportSpec({ type: 'registry', attrs: { ref: 'x', dest: 'y' } })).toThrow(
      /has no option dest=/,
    );
  });
});

describe('local cache export and import', () => {
  it('mode=max carries every record; an empty store gets them with their blobs and no snapshot ids', async () => {
    const a = await machine();
    const built = await buildRecords(a);
    const dest = path.join(await tempDir(), 'cache');
    const spec: CacheExportSpec = parseCacheExportSpec({ type: 'local', attrs: { dest, mode: 'max' } });
    const report = await exportCache(spec, {
      store: a.store,
      cache: a.cache,
      keys: [...Object.values(built.keys), computeCacheKey({ op: 'no record' }, [])],
      imageDiffIds: built.imageDiffIds,
      platform: PLATFORM,
    });
    expect(report).toMatchObject({ records: 4, blobs: 4, mounts: 0 });
    const index = JSON.parse(await readFile(path.join(dest, 'index.json'), 'utf8'));
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0].annotations['org.opencontainers.image.ref.name']).toBe('latest');
    // 4 layers + the records document + the manifest.
    expect(await blobCount(dest)).toBe(6);

    const b = await machine();
    const imported = await importCache(parseCacheImportSpec({ type: 'local', attrs: { src: dest } }), {
      store: b.store,
      cache: b.cache,
      platform: PLATFORM,
    });
    expect(imported).toMatchObject({ found: true, imported: 4, present: 0, blobsFetched: 4 });
    const record = await b.cache.get(built.keys.b);
    expect(record?.description).toBe('RUN b');
    expect(record?.result).toEqual({
      layers: [built.layers.base, built.layers.a, built.layers.b],
      stepLayers: [true, true, true],
    });
    for (const layer of Object.values(built.layers)) {
      expect(await b.store.blobs.has(layer.digest as never)).toBe(true);
    }

    const again = await importCache(
      { type: 'local', src: dest, tag: 'latest' },
      {
        store: b.store,
        cache: b.cache,
        platform: PLATFORM,
      },
    );
    expect(again).toMatchObject({ imported: 0, present: 4, blobsFetched: 0 });
  });

  it('mode=min keeps only the steps on the built image chain', async () => {
    const a = await machine();
    const built = await buildRecords(a);
    const dest = path.join(await tempDir(), 'cache');
    const report = await exportCache(parseCacheExportSpec({ type: 'local', attrs: { dest } }), {
      store: a.store,
      cache: a.cache,
      keys: Object.values(built.keys),
      imageDiffIds: built.imageDiffIds,
      platform: PLATFORM,
    });
    expect(report).toMatchObject({ records: 3, blobs: 3 });
    const b = await machine();
    await importCache(
      { type: 'local', src: dest, tag: 'latest' },
      { store: b.store, cache: b.cache, platform: PLATFORM },
    );
    expect(await b.cache.get(built.keys.c)).toBeUndefined();
    expect(await b.cache.get(built.keys.empty)).toBeDefined();
    expect(await b.store.blobs.has(built.layers.c.digest as never)).toBe(false);
  });

  it('a source without a cache is reported as not found, not as an error', async () => {
    const b = await machine();
    const report = await importCache(
      { type: 'local', src: await tempDir(), tag: 'latest' },
      {
        store: b.store,
        cache: b.cache,
        platform: PLATFORM,
      },
    );
    expect(report).toMatchObject({ found: false, imported: 0 });
  });

  it('refuses a tampered document and a blob that does not match its digest', async () => {
    const a = await machine();
    const built = await buildRecords(a);
    const dest = path.join(await tempDir(), 'cache');
    await exportCache(parseCacheExportSpec({ type: 'local', attrs: { dest, mode: 'max' } }), {
      store: a.store,
      cache: a.cache,
      keys: Object.values(built.keys),
      imageDiffIds: built.imageDiffIds,
      platform: PLATFORM,
    });
    const layerFile = path.join(dest, 'blobs', 'sha256', built.layers.c.digest.slice(7));
    await writeFile(layerFile, 'not the layer');
    const b = await machine();
    await expect(
      importCache(
        { type: 'local', src: dest, tag: 'latest' },
        { store: b.store, cache: b.cache, platform: PLATFORM },
      ),
    ).rejects.toThrow(/digest|size|match/i);
    expect(await b.cache.get(built.keys.c)).toBeUndefined();
    expect(await b.store.blobs.has(built.layers.c.digest as never)).toBe(false);
  });

  it('cache-mounts=true carries RUN --mount=type=cache directories', async () => {
    const a = await machine();
    const built = await buildRecords(a);
    const mountDir = path.join(a.root, 'cache', 'mounts', 'ab'.repeat(16));
    await mkdir(path.join(mountDir, '0', 'pkg'), { recursive: true });
    await writeFile(path.join(mountDir, '0', 'pkg', 'downloaded.tgz'), 'cached download');
    await writeFile(path.join(mountDir, 'id'), '/root/.cache\n');
    const dest = path.join(await tempDir(), 'cache');
    const report = await exportCache(
      parseCacheExportSpec({ type: 'local', attrs: { dest, 'cache-mounts': 'true' } }),
      {
        store: a.store,
        cache: a.cache,
        keys: Object.values(built.keys),
        imageDiffIds: built.imageDiffIds,
        platform: PLATFORM,
      },
    );
    expect(report.mounts).toBe(1);
    const b = await machine();
    const imported = await importCache(
      { type: 'local', src: dest, tag: 'latest' },
      {
        store: b.store,
        cache: b.cache,
        platform: PLATFORM,
      },
    );
    expect(imported.mounts).toBe(1);
    const landed = path.join(b.root, 'cache', 'mounts', 'ab'.repeat(16));
    expect(await readFile(path.join(landed, '0', 'pkg', 'downloaded.tgz'), 'utf8')).toBe('cached download');
    expect(await readFile(path.join(landed, 'id'), 'utf8')).toBe('/root/.cache\n');
  });
});

describe.skipIf(!hasRegistryBinary)('registry cache export and import (needs docker-registry)', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('pushes a cache manifest and imports it into an empty store', async () => {
    const a = await machine();
    const built = await buildRecords(a);
    const ref = `${registry.host}/app/cache:main`;
    const report = await exportCache(
      parseCacheExportSpec({ type: 'registry', attrs: { ref, mode: 'max' } }),
      {
        store: a.store,
        cache: a.cache,
        keys: Object.values(built.keys),
        imageDiffIds: built.imageDiffIds,
        platform: PLATFORM,
      },
    );
    expect(report).toMatchObject({ records: 4, blobs: 4 });
    const manifest = (await (
      await fetch(`http://${registry.host}/v2/app/cache/manifests/main`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      })
    ).json()) as { artifactType?: string; config: { mediaType: string }; layers: unknown[] };
    expect(manifest.artifactType).toBe('application/vnd.tsbuild.cache.v1+json');
    expect(manifest.config.mediaType).toBe('application/vnd.tsbuild.cache.config.v1+json');
    expect(manifest.layers).toHaveLength(4);

    const b = await machine();
    const imported = await importCache(
      { type: 'registry', ref },
      { store: b.store, cache: b.cache, platform: PLATFORM },
    );
    expect(imported).toMatchObject({ found: true, imported: 4, blobsFetched: 4 });
    expect((await b.cache.get(built.keys.a))?.result).toEqual({
      layers: [built.layers.base, built.layers.a],
      stepLayers: [true, true],
    });
  });

  it('a tag that does not exist yet is a cache not found', async () => {
    const b = await machine();
    const report = await importCache(
      { type: 'registry', ref: `${registry.host}/app/cache:never-pushed` },
      { store: b.store, cache: b.cache, platform: PLATFORM },
    );
    expect(report.found).toBe(false);
  });
});
