/**
 * What tsbuild writes is accepted by the tools people already use: a real
 * dockerd loads and runs `tsbuild save` output and serves the page; skopeo
 * and umoci read the OCI archive.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { E2E_REASON, E2E_SKIP, REPO, tsbuild } from '../support/cli.ts';
import { type Dockerd, dockerAvailable, startDockerd } from '../support/dockerd.ts';
import { freePort } from '../support/registry.ts';

const run = promisify(execFile);
const dockerMissing = dockerAvailable();

describe.skipIf(E2E_SKIP)(`interop of built images (${E2E_REASON})`, () => {
  let dir: string;
  let store: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsb-interop-'));
    store = join(dir, 'store');
    await cp(join(REPO, 'fixtures/my-httpd'), join(dir, 'ctx'), { recursive: true });
    expect((await tsbuild(['import', inject('busyboxRootfs'), 'busybox:local'], { root: store })).code).toBe(
      0,
    );
    const built = await tsbuild(['build', '-t', 'my-httpd', join(dir, 'ctx')], { root: store });
    expect(built.stderr).not.toContain('ERROR');
    expect(built.code).toBe(0);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe.skipIf(dockerMissing !== undefined)(
    `docker load + docker run (${dockerMissing ?? 'dockerd available'})`,
    () => {
      let dockerd: Dockerd;
      beforeAll(async () => {
        dockerd = await startDockerd();
      });
      afterAll(async () => {
        await dockerd?.stop();
      });

      it('loads the docker archive and serves index.html', async () => {
        const archive = join(dir, 'my-httpd.tar');
        const saved = await tsbuild(['save', 'my-httpd', '-o', archive], { root: store });
        expect(saved.stderr).toBe('');
        expect(saved.code).toBe(0);
        const loaded = await dockerd.docker(['load', '-i', archive]);
        expect(loaded.stdout).toContain('my-httpd:latest');
        const port = await freePort();
        const { stdout: id } = await dockerd.docker([
          'run',
          '-d',
          '--network',
          'host',
          'my-httpd',
          'httpd',
          '-f',
          '-p',
          `127.0.0.1:${port}`,
          '-h',
          '/var/www',
        ]);
        try {
          const expected = await readFile(join(dir, 'ctx/index.html'), 'utf8');
          let body = '';
          for (let i = 0; i < 100 && body === ''; i++) {
            body = await fetch(`http://127.0.0.1:${port}/`)
              .then((r) => r.text())
              .catch(() => '');
            if (body === '') await new Promise((r) => setTimeout(r, 100));
          }
          expect(body).toBe(expected);
        } finally {
          await dockerd.docker(['rm', '-f', id.trim()]);
        }
      });
    },
  );

  it('skopeo inspects and copies the OCI archive; umoci unpacks it', async () => {
    const archive = join(dir, 'my-httpd-oci.tar');
    const saved = await tsbuild(['save', '--format', 'oci', 'my-httpd', '-o', archive], { root: store });
    expect(saved.code).toBe(0);
    const { stdout } = await run('skopeo', ['inspect', `oci-archive:${archive}`]);
    const info = JSON.parse(stdout) as { Layers: string[]; Architecture: string; Os: string };
    expect(info.Os).toBe('linux');
    expect(info.Layers.length).toBeGreaterThanOrEqual(3);
    await run('skopeo', [
      'copy',
      `oci-archive:${archive}`,
      `docker-archive:${join(dir, 'via-skopeo.tar')}:my-httpd:latest`,
    ]);

    const layout = join(dir, 'layout');
    await mkdir(layout);
    await run('tar', ['-xf', archive, '-C', layout]);
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as {
      manifests: { annotations?: Record<string, string> }[];
    };
    const refName = index.manifests[0]?.annotations?.['org.opencontainers.image.ref.name'];
    expect(refName).toBeDefined();
    const bundle = join(dir, 'bundle');
    await run('umoci', ['unpack', '--image', `${layout}:${refName}`, bundle]);
    expect(await readFile(join(bundle, 'rootfs/var/www/index.html'), 'utf8')).toBe(
      await readFile(join(dir, 'ctx/index.html'), 'utf8'),
    );
    expect(await readFile(join(bundle, 'rootfs/built.txt'), 'utf8')).toBe('built by tsbuild\n');
  });
});
