import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { parseReference } from '../../src/image/reference.ts';
import type { ImageStore } from '../../src/image/store/store.ts';
import type { Descriptor } from '../../src/image/types.ts';
import { createRegistryClient, type PullEvent, pullImage, pushImage } from '../../src/registry/index.ts';
import { hasRegistryBinary, startRegistry, type TestRegistry } from '../support/registry.ts';
import { type Fault, type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { buildTestImage, noise, storePool } from './helpers.ts';

const noCredentials = { get: async () => undefined };
const fast = { backoffMs: 5, timeoutMs: 5_000 };

describe.skipIf(!hasRegistryBinary)(
  'faults between client and registry (needs /usr/bin/docker-registry)',
  () => {
    let registry: TestRegistry;
    let proxy: FaultProxy;
    let source: ImageStore;
    let layer: Descriptor;
    let layerDigest: string;
    const pool = storePool();
    const emptyStore = async () => (await pool.next()).store;
    const ref = () => `${proxy.host}/faults/img:1`;
    const faultOnLayer = (fault: Fault, times: number) =>
      proxy.addRule({ method: 'GET', path: new RegExp(`/blobs/${layerDigest}`), fault, times });

    beforeAll(async () => {
      registry = await startRegistry();
      proxy = await startFaultProxy(registry.host);
      source = await emptyStore();
      const manifest = await buildTestImage(source, 'faults:1', [{ payload: noise(200_000, 21) }]);
      layer = JSON.parse((await source.blobs.read(manifest.digest)).toString()).layers[0];
      layerDigest = layer.digest;
      await pushImage(source, 'faults:1', ref(), { credentials: noCredentials, transport: fast });
    });
    afterEach(() => proxy.clearRules());
    afterAll(async () => {
      await proxy?.close();
      await registry?.stop();
      await pool.cleanup();
    });

    it('retries 500s on the manifest and succeeds', async () => {
      proxy.addRule({
        method: 'GET',
        path: /\/manifests\/1$/,
        fault: { kind: 'status', status: 500 },
        times: 2,
      });
      const before = proxy.seen.length;
      const pulled = await pullImage(await emptyStore(), ref(), {
        credentials: noCredentials,
        transport: fast,
      });
      expect(pulled.layers[0]?.digest).toBe(layerDigest);
      const manifestGets = proxy.seen
        .slice(before)
        .filter((r) => r.method === 'GET' && /\/manifests\/1$/.test(r.path));
      expect(manifestGets).toHaveLength(3);
    });

    it('waits as long as Retry-After says on 429', async () => {
      faultOnLayer({ kind: 'status', status: 429, retryAfter: '1' }, 1);
      const before = proxy.seen.length;
      await pullImage(await emptyStore(), ref(), { credentials: noCredentials, transport: fast });
      const blobGets = proxy.seen
        .slice(before)
        .filter((r) => r.method === 'GET' && r.path.includes(layerDigest));
      expect(blobGets).toHaveLength(2);
      // A lower bound only: the client must not come back before the server said it may.
      expect(blobGets[1]!.at - blobGets[0]!.at).toBeGreaterThanOrEqual(950);
    });

    it('fetches a blob again when the connection drops half-way, and stores it intact', async () => {
      faultOnLayer({ kind: 'reset-mid-body' }, 1);
      const store = await emptyStore();
      const events: PullEvent[] = [];
      await pullImage(store, ref(), {
        credentials: noCredentials,
        transport: fast,
        onProgress: (e) => events.push(e),
      });
      expect(events.some((e) => e.kind === 'blob-retry' && e.digest === layerDigest)).toBe(true);
      expect((await store.blobs.read(layer.digest)).length).toBe(layer.size);
    });

    it('never stores a blob whose bytes do not match its digest', async () => {
      faultOnLayer({ kind: 'corrupt' }, 10);
      const temp = await pool.next();
      const err = await pullImage(temp.store, ref(), { credentials: noCredentials, transport: fast }).catch(
        (e: unknown) => e,
      );
      expect(isTsbuildError(err, 'DIGEST_MISMATCH')).toBe(true);
      expect(await temp.store.blobs.has(layer.digest)).toBe(false);
      expect(await temp.store.refs.get(parseReference(ref()))).toBeUndefined();
      expect(await readdir(join(temp.store.root, 'ingest'))).toEqual([]);
    });

    it('stops a pull when cancelled, leaving nothing half-written', async () => {
      faultOnLayer({ kind: 'hang' }, 5);
      const temp = await pool.next();
      const controller = new AbortController();
      const err = await pullImage(temp.store, ref(), {
        credentials: noCredentials,
        transport: fast,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.kind === 'blob-start' && e.role === 'layer') setTimeout(() => controller.abort(), 50);
        },
      }).catch((e: unknown) => e);
      expect(isTsbuildError(err, 'CANCELLED')).toBe(true);
      expect(await temp.store.blobs.has(layer.digest)).toBe(false);
      expect(await temp.store.refs.get(parseReference(ref()))).toBeUndefined();
      expect(await readdir(join(temp.store.root, 'ingest'))).toEqual([]);
    });

    it('gives up on a server that keeps failing with an error naming registry, repository and status', async () => {
      proxy.addRule({
        method: 'GET',
        path: /\/manifests\/1$/,
        fault: { kind: 'status', status: 503 },
        times: 100,
      });
      const err = await pullImage(await emptyStore(), ref(), {
        credentials: noCredentials,
        transport: { ...fast, retries: 2 },
      }).catch((e: unknown) => e);
      expect(isTsbuildError(err, 'REGISTRY')).toBe(true);
      expect((err as Error).message).toMatch(/faults\/img.*HTTP 503/);
      expect((err as Error).message).toContain(proxy.host);
    });

    it('times out on a server that never answers', async () => {
      proxy.addRule({ method: 'GET', path: /\/tags\/list/, fault: { kind: 'hang' }, times: 5 });
      const client = createRegistryClient({
        registry: proxy.host,
        credentials: noCredentials,
        transport: { timeoutMs: 300, retries: 1, backoffMs: 5 },
      });
      const err = await client.listTags('faults/img').catch((e: unknown) => e);
      expect(isTsbuildError(err, 'REGISTRY')).toBe(true);
      expect((err as Error).message).toMatch(/timed out/);
    });

    it('resends a chunk the registry failed with 500 during a chunked push', async () => {
      proxy.addRule({
        method: 'PATCH',
        path: /\/blobs\/uploads\//,
        fault: { kind: 'status', status: 500 },
        times: 1,
      });
      const store = await emptyStore();
      const manifest = await buildTestImage(store, 'chunky:1', [{ data: noise(300_000, 99) }]);
      const pushed = await pushImage(store, 'chunky:1', `${proxy.host}/faults/chunky:1`, {
        credentials: noCredentials,
        transport: fast,
        chunkSize: 128 * 1024,
      });
      expect(pushed.digest).toBe(manifest.digest);
      const back = await pullImage(await emptyStore(), `${proxy.host}/faults/chunky:1`, {
        credentials: noCredentials,
        transport: fast,
      });
      expect(back.manifest.digest).toBe(manifest.digest);
    });
  },
);
