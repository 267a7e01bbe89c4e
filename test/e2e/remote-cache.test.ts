/**
 * Remote cache through real builds, as build.ts uses it: machine A builds fixtures/matrix and
 * exports its cache (local directory, registry cache manifest with zstd layers, inline metadata
 * in a pushed image); machine B, with an EMPTY store apart from the base image, imports it and
 * skips every step, producing the same image; then a changed file re-runs only its steps, on
 * states materialised from the imported blobs. Cache mounts travel with cache-mounts=true.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Builder, type BuildOptions, createBuilder, hostPlatform } from '../../src/build.ts';
import {
  type CacheExportSpec,
  type CacheImportSpec,
  exportCache,
  INLINE_CACHE_FIELD,
  importCache,
  inlineCache,
  openCacheStore,
} from '../../src/cache/index.ts';
import {
  ensureCompressed,
  type ImageStore,
  importRootfs,
  loadImage,
  openImageStore,
  parseDigest,
  parseReference,
  writeImage,
} from '../../src/image/index.ts';
import { pushImage } from '../../src/registry/index.ts';
import { E2E_REASON, E2E_SKIP, REPO } from '../support/cli.ts';
import { hasRegistryBinary, startRegistry, type TestRegistry } from '../support/registry.ts';

interface Machine {
  readonly root: string;
  readonly store: ImageStore;
  readonly builder: Builder;
}

interface Built {
  readonly imageId: string;
  readonly manifestDigest: string;
  readonly keys: string[];
  readonly ran: string[];
}

describe.skipIf(E2E_SKIP || !hasRegistryBinary)(
  `remote cache between two stores (${E2E_REASON}, docker-registry)`,
  () => {
    let dir: string;
    let context: string;
    let registry: TestRegistry;
    const machines: Machine[] = [];

    const machine = async (): Promise<Machine> => {
      const root = await mkdtemp(join(dir, 'store-'));
      const store = await openImageStore(root);
      await importRootfs(store, inject('busyboxRootfs'), 'matrix-base:one', { sourceDateEpoch: 1 });
      const m = { root, store, builder: await createBuilder({ root }) };
      machines.push(m);
      return m;
    };

    const build = async (m: Machine, options: Partial<BuildOptions> = {}): Promise<Built> => {
      const keys: string[] = [];
      const ran: string[] = [];
      const result = await m.builder.build({
        context,
        tags: ['matrix:latest'],
        ...options,
        onEvent: (e) => {
          if (e.type !== 'vertex.cached' && e.type !== 'vertex.completed') return;
          keys.push(e.key);
          const step = !e.vertex.name.includes('FROM') && !e.vertex.name.startsWith('[internal]');
          if (e.type === 'vertex.completed' && step) ran.push(e.vertex.name);
        },
      });
      return { imageId: result.imageId, manifestDigest: result.manifestDigest, keys, ran };
    };

    const exportFrom = async (m: Machine, built: Built, spec: CacheExportSpec) => {
      const { image } = await loadImage(m.store, parseDigest(built.manifestDigest));
      return exportCache(spec, {
        store: m.store,
        cache: await openCacheStore(m.root),
        keys: built.keys,
        imageDiffIds: image.config.rootfs.diff_ids,
        platform: hostPlatform(),
        ensureCompressed: (layer, choice) => ensureCompressed(m.store, layer, choice),
      });
    };

    const importInto = async (m: Machine, spec: CacheImportSpec) =>
      importCache(spec, { store: m.store, cache: await openCacheStore(m.root), platform: hostPlatform() });

    let source: Machine;
    let built: Built;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tsb-remote-'));
      context = join(dir, 'ctx');
      await cp(join(REPO, 'fixtures/matrix'), context, { recursive: true });
      registry = await startRegistry();
      source = await machine();
      built = await build(source);
      expect(built.ran.length).toBeGreaterThan(5);
    });

    afterAll(async () => {
      for (const m of machines) await m.builder.close();
      await registry?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('type=local,mode=max: an empty store skips every step and builds the same image', async () => {
      const dest = join(dir, 'cache-local');
      const exported = await exportFrom(source, built, {
        type: 'local',
        dest,
        tag: 'latest',
        mode: 'max',
        compression: 'uncompressed',
        cacheMounts: false,
      });
      expect(exported.records).toBeGreaterThanOrEqual(8);
      const target = await machine();
      const imported = await importInto(target, { type: 'local', src: dest, tag: 'latest' });
      expect(imported.imported).toBe(exported.records);
      const rebuilt = await build(target);
      expect(rebuilt.ran).toEqual([]);
      expect(rebuilt.imageId).toBe(built.imageId);

      await writeFile(join(context, 'config/app.conf'), 'mode=edited\n');
      try {
        const changed = await build(target);
        expect(changed.ran.map((n) => n.replace(/^\[[^\]]*\] /, ''))).toEqual([
          'COPY --link config/app.conf /etc/app.conf',
        ]);
      } finally {
        await cp(join(REPO, 'fixtures/matrix/config/app.conf'), join(context, 'config/app.conf'));
      }
      // A RUN over imported states needs their files: they are materialised from the blobs.
      await writeFile(join(context, 'src/main.sh'), '#!/bin/sh\necho edited\n');
      try {
        const changed = await build(target);
        expect(changed.ran.some((n) => n.includes('RUN ls -ln src'))).toBe(true);
      } finally {
        await cp(join(REPO, 'fixtures/matrix/src/main.sh'), join(context, 'src/main.sh'));
      }
    });

    it('type=local,mode=min carries only the final image’s steps: the deps stage runs again', async () => {
      const dest = join(dir, 'cache-min');
      await exportFrom(source, built, {
        type: 'local',
        dest,
        tag: 'latest',
        mode: 'min',
        compression: 'uncompressed',
        cacheMounts: false,
      });
      const target = await machine();
      await importInto(target, { type: 'local', src: dest, tag: 'latest' });
      // The lazy solver never needs the deps stage when the final steps are cached.
      expect((await build(target)).ran).toEqual([]);
      await writeFile(join(context, 'src/lib.sh'), 'lib() { echo; }\n');
      try {
        const changed = await build(target);
        expect(changed.ran.some((n) => n.startsWith('[deps'))).toBe(true);
      } finally {
        await cp(join(REPO, 'fixtures/matrix/src/lib.sh'), join(context, 'src/lib.sh'));
      }
    });

    it('type=registry with zstd layers: a cache manifest another machine imports', async () => {
      const ref = `${registry.host}/matrix/cache:main`;
      const exported = await exportFrom(source, built, {
        type: 'registry',
        ref,
        mode: 'max',
        compression: 'zstd',
        cacheMounts: false,
      });
      const target = await machine();
      const imported = await importInto(target, { type: 'registry', ref });
      expect(imported).toMatchObject({ found: true, imported: exported.records });
      const rebuilt = await build(target);
      expect(rebuilt.ran).toEqual([]);
      expect(rebuilt.imageId).toBe(built.imageId);
    });

    it('type=inline: the metadata rides in the pushed image’s config', async () => {
      const { image } = await loadImage(source.store, parseDigest(built.manifestDigest));
      const document = await inlineCache({
        store: source.store,
        cache: await openCacheStore(source.root),
        keys: built.keys,
        imageDiffIds: image.config.rootfs.diff_ids,
      });
      const withCache = { ...image, config: { ...image.config, [INLINE_CACHE_FIELD]: document } };
      const descriptor = await writeImage(source.store, withCache);
      const ref = parseReference(`${registry.host}/matrix/app:inline`);
      await source.store.refs.set(ref, descriptor);
      await pushImage(source.store, ref, undefined, {
        ensureCompressed: (layer, choice) => ensureCompressed(source.store, layer, choice),
      });
      const target = await machine();
      const imported = await importInto(target, {
        type: 'registry',
        ref: `${registry.host}/matrix/app:inline`,
      });
      expect(imported.found).toBe(true);
      expect(imported.imported).toBe(document.records.length);
      expect((await build(target)).ran).toEqual([]);
    });

    it('cache-mounts=true brings RUN --mount=type=cache contents along', async () => {
      const dockerfileText = [
        'FROM matrix-base:one',
        'RUN --mount=type=cache,id=downloads,target=/cache echo fetched >> /cache/log && cp /cache/log /seen',
        '',
      ].join('\n');
      const first = await build(source, { dockerfileText, tags: [] });
      const dest = join(dir, 'cache-mounts');
      const exported = await exportFrom(source, first, {
        type: 'local',
        dest,
        tag: 'latest',
        mode: 'max',
        compression: 'uncompressed',
        cacheMounts: true,
      });
      expect(exported.mounts).toBeGreaterThanOrEqual(1);
      const target = await machine();
      await importInto(target, { type: 'local', src: dest, tag: 'latest' });
      // --no-cache runs the step again: it sees the imported cache mount's earlier content.
      await build(target, { dockerfileText, tags: ['mounts:latest'], noCache: true });
      const { image } = await loadImage(
        target.store,
        parseDigest((await target.store.refs.get(parseReference('mounts:latest')))!.digest),
      );
      const top = image.layers.at(-1)!;
      const tar = await readFile(target.store.blobs.path(top.digest));
      expect(tar.toString('latin1')).toContain('fetched\nfetched\n');
    });
  },
);
