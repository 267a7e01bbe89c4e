import { execFileSync } from 'node:child_process';
import { chmod, link, lstat, mkdir, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { getAttributeSync, setAttributeSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayer, packLayer, sha256OfBytes } from '../../src/image/index.ts';
import { buildTar, isRoot, type RawEntry, tempDir } from './support/tar.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

async function bytesOf(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

async function tree(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(path.join(root, rel))).sort()) {
    const p = path.join(rel, name);
    const s = await lstat(path.join(root, p));
    out.push(s.isDirectory() ? `${p}/` : p);
    if (s.isDirectory()) out.push(...(await tree(root, p)));
  }
  return out;
}

const f = (name: string, data = name): RawEntry => ({ header: { name, type: 'file' }, data });
const d = (name: string, extra: Partial<RawEntry['header']> = {}): RawEntry => ({
  header: { name, type: 'directory', mode: 0o40755, ...extra },
});

describe('applyLayer', () => {
  it('flattens layers: OCI whiteouts delete, an opaque dir keeps only its new children', async () => {
    const target = path.join(dir, 'rootfs');
    const layers = [
      [d('etc/'), f('etc/a'), f('etc/b'), d('var/'), f('var/log'), f('keep')],
      [f('.wh.keep', ''), d('etc/'), f('etc/.wh..wh..opq', ''), f('etc/c'), f('var/.wh.log', ''), f('new')],
    ];
    for (const entries of layers) await applyLayer(Readable.from([await buildTar(entries)]), target);
    expect(await tree(target)).toEqual(['etc/', 'etc/c', 'new', 'var/']);
  });

  it('keeps children written before a late opaque marker in the same layer', async () => {
    const target = path.join(dir, 'rootfs');
    await applyLayer(Readable.from([await buildTar([d('x/'), f('x/old')])]), target);
    await applyLayer(Readable.from([await buildTar([d('x/'), f('x/new'), f('x/.wh..wh..opq', '')])]), target);
    expect(await tree(target)).toEqual(['x/', 'x/new']);
  });

  it('reads gzip, zstd and plain layers alike and reports the diff_id of the tar', async () => {
    const tar = await buildTar([d('a/'), f('a/b', 'content')]);
    const diffId = sha256OfBytes(tar);
    for (const [bytes, compression] of [
      [tar, 'none'],
      [gzipSync(tar), 'gzip'],
      [zstdCompressSync(tar), 'zstd'],
    ] as const) {
      const target = path.join(dir, compression);
      const result = await applyLayer(Readable.from([bytes]), target);
      expect(result).toMatchObject({ diffId, size: tar.length, compression });
      expect(await readFile(path.join(target, 'a/b'), 'utf8')).toBe('content');
    }
  });

  it('rejects a truncated layer', async () => {
    const tar = gzipSync(await buildTar([f('big', 'x'.repeat(100_000))]));
    const cut = tar.subarray(0, tar.length / 2);
    await expect(applyLayer(Readable.from([cut]), path.join(dir, 't'))).rejects.toThrow();
  });

  it('restores symlinks, hardlinks, modes and mtimes', async () => {
    const target = path.join(dir, 'rootfs');
    const entries: RawEntry[] = [
      d('bin/', { mtime: new Date(5000_000) }),
      {
        header: { name: 'bin/busybox', type: 'file', mode: 0o104755, mtime: new Date(1000_000) },
        data: 'bb',
      },
      { header: { name: 'bin/sh', type: 'symlink', linkname: 'busybox' } },
      { header: { name: 'bin/ash', type: 'link', linkname: 'bin/busybox' } },
    ];
    await applyLayer(Readable.from([await buildTar(entries)]), target);
    const bb = await lstat(path.join(target, 'bin/busybox'));
    expect(bb.mode & 0o7777).toBe(0o4755);
    expect(bb.mtimeMs).toBe(1000_000);
    expect((await lstat(path.join(target, 'bin'))).mtimeMs).toBe(5000_000);
    expect((await lstat(path.join(target, 'bin/ash'))).ino).toBe(bb.ino);
    expect((await lstat(path.join(target, 'bin/sh'))).isSymbolicLink()).toBe(true);
  });
});

describe.skipIf(!isRoot)(
  'applyLayer as root (needs root: ownership, devices, trusted/security xattrs)',
  () => {
    it('round-trips a snapshot: packing the applied tree gives the same diff_id', async () => {
      const snap = path.join(dir, 'snap');
      await mkdir(path.join(snap, 'usr/bin'), { recursive: true });
      await writeFile(path.join(snap, 'usr/bin/ping'), 'ping');
      execFileSync('chown', ['0:3', path.join(snap, 'usr/bin/ping')]);
      setAttributeSync(
        path.join(snap, 'usr/bin/ping'),
        'security.capability',
        Buffer.from('0100000200200000000000000000000000000000', 'hex'),
      );
      setAttributeSync(path.join(snap, 'usr/bin/ping'), 'user.mime', 'x');
      await writeFile(path.join(snap, 'usr/bin/su'), 'su');
      await chmod(path.join(snap, 'usr/bin/su'), 0o4750);
      execFileSync('chown', ['1000:1000', path.join(snap, 'usr')]);
      await link(path.join(snap, 'usr/bin/su'), path.join(snap, 'usr/bin/su2'));
      await symlink('/usr/bin/ping', path.join(snap, 'p'));
      execFileSync('mknod', [path.join(snap, 'null'), 'c', '1', '3']);
      execFileSync('mkfifo', [path.join(snap, 'fifo')]);
      await utimes(path.join(snap, 'usr/bin'), 1234, 1234);
      const tar = await bytesOf(packLayer(snap));
      const target = path.join(dir, 'rootfs');
      const result = await applyLayer(Readable.from([tar]), target);
      expect(result.diffId).toBe(sha256OfBytes(tar));
      expect(sha256OfBytes(await bytesOf(packLayer(target)))).toBe(sha256OfBytes(tar));
      expect(
        getAttributeSync(path.join(target, 'usr/bin/ping'), 'security.capability')?.toString('hex'),
      ).toBe('0100000200200000000000000000000000000000');
      expect((await lstat(path.join(target, 'null'))).rdev).toBe((await lstat(path.join(snap, 'null'))).rdev);
    });

    it('honours overlay-form whiteouts in a tar (0/0 char devices, opaque xattr) and never restores overlay xattrs', async () => {
      const target = path.join(dir, 'rootfs');
      await applyLayer(Readable.from([await buildTar([d('o/'), f('o/old'), f('gone'), f('gone2')])]), target);
      const layer2: RawEntry[] = [
        { header: { name: 'gone', type: 'character-device', devmajor: 0, devminor: 0 } },
        {
          header: { name: 'gone2', type: 'file', pax: { 'SCHILY.xattr.trusted.overlay.whiteout': '' } },
          data: '',
        },
        d('o/', {
          pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y', 'SCHILY.xattr.trusted.overlay.redirect': '/x' },
        }),
        f('o/new'),
      ];
      await applyLayer(Readable.from([await buildTar(layer2)]), target);
      expect(await tree(target)).toEqual(['o/', 'o/new']);
      expect(getAttributeSync(path.join(target, 'o'), 'trusted.overlay.opaque')).toBeNull();
      expect(getAttributeSync(path.join(target, 'o'), 'trusted.overlay.redirect')).toBeNull();
    });
  },
);
