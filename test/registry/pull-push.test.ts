import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { parseReference } from '../../src/image/reference.ts';
import {
  createRegistryClient,
  type PullEvent,
  type PushEvent,
  pullImage,
  pushImage,
} from '../../src/registry/index.ts';
import { hasRegistryBinary, startRegistry, type TestRegistry } from '../support/registry.ts';
import { buildTestImage, gzipCompressor, noise, storePool } from './helpers.ts';

const run = promisify(execFile);
const busybox = existsSync('/bin/busybox') ? '/bin/busybox' : undefined;
const noCredentials = { get: async () => undefined };

describe.skipIf(!hasRegistryBinary)(
  'push and pull against a real registry (needs /usr/bin/docker-registry)',
  () => {
    let registry: TestRegistry;
    const pool = storePool();
    const store = async () => (await pool.next()).store;

    beforeAll(async () => {
      registry = await startRegistry();
    });
    afterAll(async () => {
      await registry?.stop();
      await pool.cleanup();
    });

    it('pushes an image built here and pulls it back by tag and by digest with identical digests', async () => {
      const source = await store();
      const files: Record<string, Uint8Array> = busybox
        ? { 'bin/busybox': await readFile(busybox) }
        : { 'bin/tool': noise(300_000) };
      const local = await buildTestImage(source, 'app:1', [files, { 'etc/motd': 'hello from tsbuild\n' }]);
      const ref = `${registry.host}/team/app:1`;
      const events: PushEvent[] = [];
      const pushed = await pushImage(source, 'app:1', ref, {
        credentials: noCredentials,
        onProgress: (e) => events.push(e),
      });
      expect(pushed.digest).toBe(local.digest);
      expect(
        events.filter((e) => e.kind === 'blob-done').map((e) => e.kind === 'blob-done' && e.outcome),
      ).toEqual(['uploaded', 'uploaded', 'uploaded']);

      const byTag = await store();
      const pulled = await pullImage(byTag, ref, { credentials: noCredentials });
      expect(pulled.manifest.digest).toBe(local.digest);
      expect(await byTag.refs.get(parseReference(ref))).toEqual(pulled.manifest);
      for (const layer of pulled.layers) expect(await byTag.blobs.has(layer.digest)).toBe(true);
      expect(await byTag.blobs.has(pulled.config.digest)).toBe(true);

      const byDigest = await store();
      const pinned = `${registry.host}/team/app@${pushed.digest}`;
      const again = await pullImage(byDigest, pinned, { credentials: noCredentials });
      expect(again.manifest.digest).toBe(local.digest);
      expect(
        (await byDigest.blobs.read(again.manifest.digest)).equals(await source.blobs.read(local.digest)),
      ).toBe(true);
    });

    it('skips blobs already in the store on a second pull', async () => {
      const source = await store();
      await buildTestImage(source, 'skip:1', [{ a: noise(50_000, 7) }]);
      const ref = `${registry.host}/skip/me:1`;
      await pushImage(source, 'skip:1', ref, { credentials: noCredentials });
      const target = await store();
      const first = await pullImage(target, ref, { credentials: noCredentials });
      expect(first.bytesFetched).toBeGreaterThan(50_000);
      const events: PullEvent[] = [];
      const second = await pullImage(target, ref, {
        credentials: noCredentials,
        onProgress: (e) => events.push(e),
      });
      expect(second.bytesFetched).toBe(0);
      expect(
        events
          .filter((e) => e.kind === 'blob-done')
          .every((e) => e.kind === 'blob-done' && e.outcome === 'present'),
      ).toBe(true);
    });

    it('compresses uncompressed local layers once and pushes the gzip form; a re-push finds every blob', async () => {
      const source = await store();
      await buildTestImage(source, 'raw:1', [{ 'data.bin': noise(100_000, 3) }], 'none');
      const compressor = gzipCompressor(source);
      const ref = `${registry.host}/raw/img:1`;
      const pushed = await pushImage(source, 'raw:1', ref, {
        credentials: noCredentials,
        ensureCompressed: compressor.ensure,
      });
      const client = createRegistryClient({ registry: registry.host, credentials: noCredentials });
      const remote = await client.getManifest('raw/img', '1');
      expect(remote.digest).toBe(pushed.digest);
      expect(remote.manifest.kind === 'image' && remote.manifest.layers[0]?.mediaType).toBe(
        'application/vnd.oci.image.layer.v1.tar+gzip',
      );
      const events: PushEvent[] = [];
      const again = await pushImage(source, 'raw:1', ref, {
        credentials: noCredentials,
        ensureCompressed: compressor.ensure,
        onProgress: (e) => events.push(e),
      });
      expect(again.digest).toBe(pushed.digest);
      expect(
        events.filter((e) => e.kind === 'blob-done').map((e) => e.kind === 'blob-done' && e.outcome),
      ).toEqual(['exists', 'exists']);
      // skopeo, an independent client, reads what we pushed.
      const { stdout } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
      expect(JSON.parse(stdout).layers[0].digest).toBe(
        remote.manifest.kind === 'image' && remote.manifest.layers[0]?.digest,
      );
    });

    it('uploads in chunks with Content-Range and mounts blobs across repositories', async () => {
      const source = await store();
      const local = await buildTestImage(source, `${registry.host}/chunks/src:1`, [
        { big: noise(700_000, 11) },
      ]);
      const events: PushEvent[] = [];
      await pushImage(source, `${registry.host}/chunks/src:1`, undefined, {
        credentials: noCredentials,
        chunkSize: 256 * 1024,
        onProgress: (e) => events.push(e),
      });
      const progress = events
        .filter((e) => e.kind === 'blob-progress')
        .map((e) => e.kind === 'blob-progress' && e.sent);
      expect(progress).toContain(256 * 1024);
      const mountEvents: PushEvent[] = [];
      const mounted = await pushImage(
        source,
        `${registry.host}/chunks/src:1`,
        `${registry.host}/chunks/dst:1`,
        {
          credentials: noCredentials,
          onProgress: (e) => mountEvents.push(e),
        },
      );
      expect(mounted.digest).toBe(local.digest);
      expect(
        mountEvents.filter((e) => e.kind === 'blob-done').map((e) => e.kind === 'blob-done' && e.outcome),
      ).toEqual(['mounted', 'mounted']);
      const back = await pool.next();
      const pulled = await pullImage(back.store, `${registry.host}/chunks/dst:1`, {
        credentials: noCredentials,
      });
      expect(pulled.manifest.digest).toBe(local.digest);
    });

    it('lists tags and reports a missing image as REGISTRY_NOT_FOUND naming registry and repository', async () => {
      const source = await store();
      await buildTestImage(source, 'tags:a', [{ f: 'a' }]);
      await pushImage(source, 'tags:a', `${registry.host}/tags/list:a`, { credentials: noCredentials });
      await pushImage(source, 'tags:a', `${registry.host}/tags/list:b`, { credentials: noCredentials });
      const client = createRegistryClient({ registry: registry.host, credentials: noCredentials });
      expect([...(await client.listTags('tags/list'))].sort()).toEqual(['a', 'b']);
      const head = await client.headManifest('tags/list', 'a');
      expect(head?.digest).toBe((await source.refs.get(parseReference('tags:a')))?.digest);
      expect(await client.headManifest('tags/list', 'nope')).toBeUndefined();
      const err = await pullImage(await store(), `${registry.host}/tags/list:nope`, {
        credentials: noCredentials,
      }).catch((e: unknown) => e);
      expect(isTsbuildError(err, 'REGISTRY_NOT_FOUND')).toBe(true);
      expect((err as Error).message).toContain(registry.host);
      expect((err as Error).message).toContain('tags/list');
    });

    it('pulls an image pushed by skopeo (another client) from an OCI layout', async () => {
      const source = await store();
      const local = await buildTestImage(source, 'interop:1', [{ x: noise(10_000, 5) }]);
      // Lay the image out as an OCI layout from our own store for skopeo to copy.
      const layout = await mkdtemp(join(tmpdir(), 'tsbuild-oci-'));
      try {
        await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
        const manifestBytes = await source.blobs.read(local.digest);
        const manifest = JSON.parse(manifestBytes.toString()) as {
          config: { digest: string };
          layers: { digest: string }[];
        };
        for (const d of [local.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
          await copyFile(
            source.blobs.path(d as typeof local.digest),
            join(layout, 'blobs', 'sha256', d.slice(7)),
          );
        }
        await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
        await writeFile(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [local] }));
        await run('skopeo', [
          'copy',
          '--dest-tls-verify=false',
          `oci:${layout}`,
          `docker://${registry.host}/interop/img:1`,
        ]);
      } finally {
        await rm(layout, { recursive: true, force: true });
      }
      const target = await store();
      const pulled = await pullImage(target, `${registry.host}/interop/img:1`, {
        credentials: noCredentials,
      });
      expect(pulled.config.digest).toBe(
        JSON.parse((await source.blobs.read(local.digest)).toString()).config.digest,
      );
    });
  },
);
