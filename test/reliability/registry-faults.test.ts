/**
 * Registry faults met by a build, not a bare pull: `FROM` names an image behind a loopback
 * fault-injecting proxy (500s, 429 with Retry-After, a connection reset mid-blob, a corrupted
 * blob, a server that stops answering). Each build starts on an empty store, so the base is
 * pulled through the faults. Transient faults are retried and the build succeeds; persistent ones
 * fail it with an error naming what failed; either way the store checks clean and holds no blob
 * whose bytes differ from its digest.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkStore } from '../../src/check/index.ts';
import { type Fault, type FaultProxy, startFaultProxy } from '../registry/fault-proxy.ts';
import { E2E_REASON, E2E_SKIP, tsbuild } from '../support/cli.ts';
import { hasRegistryBinary } from '../support/registry.ts';
import { findLeaks } from './support/leaks.ts';
import { startWorld, type World } from './support/world.ts';

describe.skipIf(E2E_SKIP || !hasRegistryBinary)(
  `registry faults during a build that pulls its base (${E2E_REASON}, docker-registry)`,
  () => {
    let world: World;
    let proxy: FaultProxy;
    let context: string;
    let bigLayer: string;
    let store = 0;

    beforeAll(async () => {
      world = await startWorld(inject('busyboxRootfs'));
      proxy = await startFaultProxy(world.registry.host);
      context = path.join(world.dir, 'context');
      await mkdir(context);
      await writeFile(
        path.join(context, 'Dockerfile'),
        `FROM ${proxy.host}/world/base:1\nRUN test -s /big && echo ok > /ok\n`,
      );
      const res = await fetch(`http://${world.registry.host}/v2/world/base/manifests/1`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      const manifest = (await res.json()) as { layers: { digest: string; size: number }[] };
      bigLayer = manifest.layers.reduce((a, b) => (b.size > a.size ? b : a)).digest;
    });
    afterEach(() => proxy.clearRules());
    afterAll(async () => {
      await proxy?.close();
      await world?.cleanup();
    });

    const onBigLayer = (fault: Fault, times: number) =>
      proxy.addRule({ method: 'GET', path: new RegExp(`/blobs/${bigLayer}`), fault, times });
    const requestsFor = (pattern: RegExp, since: number) =>
      proxy.seen.slice(since).filter((r) => r.method === 'GET' && pattern.test(r.path)).length;

    /** Builds on a fresh store; returns the result and the store, after checking it. */
    async function buildThroughProxy(): Promise<{ code: number; stderr: string; root: string }> {
      const root = path.join(world.dir, `store-${++store}`);
      const result = await tsbuild(['build', '--progress=plain', context], { root });
      const report = await checkStore(root);
      expect(report.problems, 'store check after the build').toEqual([]);
      expect(await findLeaks(root)).toEqual([]);
      return { ...result, root };
    }

    it('retries 500s on the manifest', async () => {
      const since = proxy.seen.length;
      proxy.addRule({
        method: 'GET',
        path: /\/manifests\/1$/,
        fault: { kind: 'status', status: 500 },
        times: 2,
      });
      const built = await buildThroughProxy();
      expect(built.code, built.stderr).toBe(0);
      expect(requestsFor(/\/manifests\/1$/, since)).toBeGreaterThanOrEqual(3);
    });

    it('waits out a 429 with Retry-After on a blob', async () => {
      const since = proxy.seen.length;
      onBigLayer({ kind: 'status', status: 429, retryAfter: '1' }, 1);
      const built = await buildThroughProxy();
      expect(built.code, built.stderr).toBe(0);
      const gets = proxy.seen.slice(since).filter((r) => r.method === 'GET' && r.path.includes(bigLayer));
      expect(gets.length).toBe(2);
      // Retry-After: 1 was honoured (whole seconds, so this is a protocol check, not a timing one).
      expect(gets[1]!.at - gets[0]!.at).toBeGreaterThanOrEqual(900);
    });

    it('fetches a blob again after the connection is reset half-way', async () => {
      const since = proxy.seen.length;
      onBigLayer({ kind: 'reset-mid-body' }, 1);
      const built = await buildThroughProxy();
      expect(built.code, built.stderr).toBe(0);
      expect(requestsFor(new RegExp(bigLayer), since)).toBe(2);
    });

    it('refuses a corrupted blob, fetches it again, and stores only the good bytes', async () => {
      onBigLayer({ kind: 'corrupt' }, 1);
      const built = await buildThroughProxy();
      expect(built.code, built.stderr).toBe(0);
    });

    it('fails clearly when every copy of a blob is corrupt, storing none of them', async () => {
      onBigLayer({ kind: 'corrupt' }, 1000);
      const built = await buildThroughProxy();
      expect(built.code).toBe(1);
      expect(built.stderr).toMatch(new RegExp(`^error: .*${bigLayer.slice(7, 19)}`, 'm'));
      expect(built.stderr).toMatch(/digest/i);
      expect((await checkStore(built.root)).counts.blobs).toBeLessThan(3);
      await rm(built.root, { recursive: true, force: true });
    });

    it('fails clearly when the registry keeps answering 500', async () => {
      onBigLayer({ kind: 'status', status: 500 }, 1000);
      const built = await buildThroughProxy();
      expect(built.code).toBe(1);
      expect(built.stderr).toMatch(/^error: .*500/m);
      expect(built.stderr).toContain(proxy.host);
    });

    // A registry that stops answering for good is given up on only after every retry has timed
    // out (60 s each; minutes in all): docs/security.md gives the figure. One stall is retried.
    it('retries a blob request the registry never answered', { timeout: 300_000 }, async () => {
      const since = proxy.seen.length;
      onBigLayer({ kind: 'hang' }, 1);
      const built = await buildThroughProxy();
      expect(built.code, built.stderr).toBe(0);
      expect(requestsFor(new RegExp(bigLayer), since)).toBe(2);
    });
  },
);
