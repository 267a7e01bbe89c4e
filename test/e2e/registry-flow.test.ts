/**
 * Images travel through a real registry: a base pushed to a loopback
 * docker-registry, a build FROM it on an empty store (pulled during the
 * build), the result pushed with --push, then pulled back by digest into
 * another empty store and run — same image, byte for byte.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { E2E_REASON, E2E_SKIP, tsbuild } from '../support/cli.ts';
import { hasRegistryBinary, startRegistry, type TestRegistry } from '../support/registry.ts';

describe.skipIf(E2E_SKIP || !hasRegistryBinary)(
  `pull, build FROM, push, pull by digest (${E2E_REASON}, docker-registry)`,
  () => {
    let dir: string;
    let registry: TestRegistry;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tsb-regflow-'));
      registry = await startRegistry();
    });

    afterAll(async () => {
      await registry?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('round-trips a built image through the registry', async () => {
      const seed = join(dir, 'seed');
      const base = `${registry.host}/base/busybox:1`;
      expect((await tsbuild(['import', inject('busyboxRootfs'), base], { root: seed })).code).toBe(0);
      const pushedBase = await tsbuild(['push', base], { root: seed });
      expect(pushedBase.stderr).not.toContain('error');
      expect(pushedBase.code).toBe(0);

      const ctx = join(dir, 'ctx');
      await mkdir(ctx);
      await writeFile(
        join(ctx, 'Dockerfile'),
        `FROM ${base}\nCOPY hello.txt /hello.txt\nRUN cat /hello.txt > /copied.txt\nCMD ["cat", "/copied.txt"]\n`,
      );
      await writeFile(join(ctx, 'hello.txt'), 'hello through a registry\n');

      const builder = join(dir, 'builder');
      const app = `${registry.host}/apps/hello:1`;
      const built = await tsbuild(
        ['build', '--progress=plain', '--push', '-t', app, '--source-date-epoch', '0', ctx],
        { root: builder },
      );
      expect(built.stderr).not.toMatch(/ERROR/);
      expect(built.code).toBe(0);
      const inspected = JSON.parse((await tsbuild(['inspect', app], { root: builder })).stdout) as {
        id: string;
      };

      // The pushed manifest's digest, as the registry knows it.
      const res = await fetch(`http://${registry.host}/v2/apps/hello/manifests/1`, {
        method: 'HEAD',
        headers: {
          accept:
            'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
        },
      });
      expect(res.status).toBe(200);
      const digest = res.headers.get('docker-content-digest');
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

      const consumer = join(dir, 'consumer');
      const pulled = await tsbuild(['pull', `${registry.host}/apps/hello@${digest}`], { root: consumer });
      expect(pulled.code).toBe(0);
      const again = JSON.parse(
        (await tsbuild(['inspect', `${registry.host}/apps/hello@${digest}`], { root: consumer })).stdout,
      ) as { id: string };
      expect(again.id).toBe(inspected.id);

      const ran = await tsbuild(['run', '--rm', `${registry.host}/apps/hello@${digest}`], { root: consumer });
      expect(ran.stdout).toBe('hello through a registry\n');
      expect(ran.code).toBe(0);
    });
  },
);
