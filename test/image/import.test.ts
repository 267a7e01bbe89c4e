import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyLayer, hostPlatform, importRootfs, inspectImage, resolveImage } from '../../src/image/index.ts';
import { tempStorePerTest } from './support/store.ts';

const t = tempStorePerTest();

async function rootfsTarball(): Promise<string> {
  const rootfs = path.join(t.dir, 'rootfs');
  await mkdir(path.join(rootfs, 'bin'), { recursive: true });
  await mkdir(path.join(rootfs, 'etc'));
  await writeFile(path.join(rootfs, 'bin/busybox'), 'not really busybox');
  await writeFile(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  execFileSync('ln', ['-s', 'busybox', path.join(rootfs, 'bin/sh')]);
  const tarball = path.join(t.dir, 'rootfs.tar.gz');
  // GNU tar's style: "./" prefixes, gzip, the root dir itself as an entry.
  execFileSync('tar', ['-C', rootfs, '-czf', tarball, '.']);
  return tarball;
}

describe('importRootfs', () => {
  it('makes a one-layer image for this platform, tagged, with a canonical layer', async () => {
    const tarball = await rootfsTarball();
    const result = await importRootfs(t.store, tarball, 'busybox:local', { config: { Cmd: ['sh'] } });
    expect(result.reference).toMatchObject({
      registry: 'docker.io',
      repository: 'library/busybox',
      tag: 'local',
    });
    const resolved = await resolveImage(t.store, 'busybox:local');
    expect(resolved.id).toBe(result.id);
    expect(resolved.manifest.layers).toHaveLength(1);
    expect(resolved.config).toMatchObject({
      os: hostPlatform().os,
      architecture: hostPlatform().architecture,
    });
    expect(resolved.config.config?.Cmd).toEqual(['sh']);
    expect(resolved.config.history?.[0]?.comment).toBe('Imported from rootfs.tar.gz');
    const info = await inspectImage(t.store, 'busybox:local');
    expect(info.layers[0]?.diffId).toBe(info.layers[0]?.descriptor.digest);

    const out = path.join(t.dir, 'out');
    await applyLayer(await t.store.blobs.open(resolved.manifest.layers[0]!.digest), out);
    expect(await readlink(path.join(out, 'bin/sh'))).toBe('busybox');
    expect(await readFile(path.join(out, 'etc/passwd'), 'utf8')).toContain('root:x:0:0');
  });

  it('gives the same image ID for the same tarball under SOURCE_DATE_EPOCH', async () => {
    const tarball = await rootfsTarball();
    const a = await importRootfs(t.store, tarball, 'a:1', { sourceDateEpoch: 1_700_000_000 });
    await new Promise((r) => setTimeout(r, 1100));
    const b = await importRootfs(t.store, tarball, 'b:1', { sourceDateEpoch: 1_700_000_000 });
    expect(b.id).toBe(a.id);
    expect(b.manifest.digest).toBe(a.manifest.digest);
  });
});
