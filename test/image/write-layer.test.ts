import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import {
  chmod,
  link,
  lstat,
  mkdir,
  open,
  readFile,
  symlink,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayer, packLayer, sha256OfBytes, writeLayer } from '../../src/image/index.ts';
import { createExtract, paxRecordsOf } from '../../src/image/tar/pax.ts';
import { isRoot, readTar, tempDir } from './support/tar.ts';

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  await mkdir(path.join(dir, 'snap'));
});
afterEach(async () => cleanup());

async function layerBytes(snap: string, sourceDateEpoch?: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of packLayer(snap, sourceDateEpoch === undefined ? {} : { sourceDateEpoch }))
    chunks.push(c);
  return Buffer.concat(chunks);
}

// security.capability v2 for cap_setuid (bit 7 → byte 0x80: not valid UTF-8 on its own).
const CAP = Buffer.from('0100000280000000000000000000000000000000', 'hex');

describe('writeLayer', () => {
  it('writes byte-ordered entries with parents first and returns diffId and size', async () => {
    const snap = path.join(dir, 'snap');
    await mkdir(path.join(snap, 'b/c'), { recursive: true });
    await writeFile(path.join(snap, 'b/c/f'), 'x');
    await writeFile(path.join(snap, 'a'), 'hello');
    await writeFile(path.join(snap, 'B'), '');
    const out = path.join(dir, 'layer.tar');
    const result = await writeLayer(snap, { output: createWriteStream(out) });
    const bytes = await readFile(out);
    expect(result).toEqual({ diffId: sha256OfBytes(bytes), size: bytes.length });
    const entries = await readTar(bytes);
    expect(entries.map((e) => e.header.name)).toEqual(['B', 'a', 'b/', 'b/c/', 'b/c/f']);
    expect(entries[1]!.data.toString()).toBe('hello');
    expect(entries[2]!.header.type).toBe('directory');
  });

  it('is deterministic, and SOURCE_DATE_EPOCH clamps mtimes so digests match across mtimes', async () => {
    const snap = path.join(dir, 'snap');
    await writeFile(path.join(snap, 'f'), 'same');
    const first = await layerBytes(snap, 1000);
    expect(sha256OfBytes(await layerBytes(snap, 1000))).toBe(sha256OfBytes(first));
    await utimes(path.join(snap, 'f'), 5_000_000, 5_000_000);
    expect(sha256OfBytes(await layerBytes(snap, 1000))).toBe(sha256OfBytes(first));
    const [entry] = await readTar(first);
    expect(entry!.header.mtime.getTime()).toBe(1000 * 1000);
    await utimes(path.join(snap, 'f'), 10, 10);
    const [older] = await readTar(await layerBytes(snap, 1000));
    expect(older!.header.mtime.getTime()).toBe(10 * 1000);
  });

  it('uses PAX for long and non-ASCII names and long link targets', async () => {
    const snap = path.join(dir, 'snap');
    const long = `${'d'.repeat(120)}/${'f'.repeat(150)}`;
    await mkdir(path.join(snap, 'd'.repeat(120)));
    await writeFile(path.join(snap, long), 'long');
    await writeFile(path.join(snap, 'naïve-文件'), 'utf8');
    await symlink('t'.repeat(200), path.join(snap, 'link'));
    const entries = await readTar(await layerBytes(snap));
    const byName = new Map(entries.map((e) => [e.header.name, e]));
    expect(byName.get(long)?.data.toString()).toBe('long');
    expect(byName.get('naïve-文件')?.data.toString()).toBe('utf8');
    expect(byName.get('link')?.header.linkname).toBe('t'.repeat(200));
    expect(byName.get(long)?.pax.get('path')?.toString()).toBe(long);
    // GNU tar reads the same names back.
    const listing = execFileSync('tar', ['-tf', '-'], { input: await layerBytes(snap) }).toString();
    expect(listing).toContain(long);
    expect(listing).toContain('naïve-文件');
  });

  it('keeps modes with setuid/setgid/sticky bits, symlinks and hardlinks', async () => {
    const snap = path.join(dir, 'snap');
    await writeFile(path.join(snap, 'suid'), '#!/bin/sh\n');
    await chmod(path.join(snap, 'suid'), 0o4755);
    await mkdir(path.join(snap, 'tmp'));
    await chmod(path.join(snap, 'tmp'), 0o1777);
    await writeFile(path.join(snap, 'zero'), '');
    await chmod(path.join(snap, 'zero'), 0o000);
    await writeFile(path.join(snap, 'h1'), 'shared');
    await link(path.join(snap, 'h1'), path.join(snap, 'h2'));
    await symlink('/bin/busybox', path.join(snap, 'sh'));
    const entries = await readTar(await layerBytes(snap));
    const byName = new Map(entries.map((e) => [e.header.name, e.header]));
    expect(byName.get('suid')!.mode & 0o7777).toBe(0o4755);
    expect(byName.get('tmp/')!.mode & 0o7777).toBe(0o1777);
    expect(byName.get('zero')!.mode & 0o7777).toBe(0);
    expect(byName.get('h1')).toMatchObject({ type: 'file', size: 6 });
    expect(byName.get('h2')).toMatchObject({ type: 'link', linkname: 'h1', size: 0 });
    expect(byName.get('sh')).toMatchObject({ type: 'symlink', linkname: '/bin/busybox' });
  });

  it('reads sparse files as data', async () => {
    const snap = path.join(dir, 'snap');
    const file = path.join(snap, 'sparse');
    await truncate(file, 0).catch(() => writeFile(file, ''));
    await truncate(file, 4 << 20);
    const handle = await open(file, 'r+');
    await handle.write(Buffer.from('end'), 0, 3, (4 << 20) - 3);
    await handle.close();
    const [entry] = await readTar(await layerBytes(snap));
    expect(entry!.header.size).toBe(4 << 20);
    expect(entry!.data.subarray(0, 16).equals(Buffer.alloc(16))).toBe(true);
    expect(entry!.data.subarray(-3).toString()).toBe('end');
  });

  it('refuses names that would read as whiteouts', async () => {
    const snap = path.join(dir, 'snap');
    await writeFile(path.join(snap, '.wh.sneaky'), '');
    await expect(layerBytes(snap)).rejects.toThrow(/\.wh\. mean deletion/);
  });
});

/** The first entry's header of a layer, without reading the entry's data. */
async function firstHeader(snap: string) {
  const extract = createExtract();
  const pack = packLayer(snap);
  pack.pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    const header = { ...entry.header, pax: paxRecordsOf(entry.header) };
    pack.destroy();
    extract.destroy();
    return header;
  }
  throw new Error('empty layer');
}

describe('writeLayer headers', () => {
  it('uses a PAX size for files of 8 GiB and more (a sparse file, never read here)', async () => {
    const snap = path.join(dir, 'snap');
    await truncate(path.join(snap, 'huge'), 0).catch(() => writeFile(path.join(snap, 'huge'), ''));
    await truncate(path.join(snap, 'huge'), 9 * 1024 ** 3);
    const header = await firstHeader(snap);
    expect(header.size).toBe(9 * 1024 ** 3);
    expect(header.pax.get('size')?.toString()).toBe(String(9 * 1024 ** 3));
  });
});

describe.skipIf(!isRoot)('writeLayer as root (needs root: trusted xattrs, mknod, chown)', () => {
  it('turns overlay whiteouts and opaque dirs into OCI entries, opaque marker first', async () => {
    const snap = path.join(dir, 'snap');
    await mkdir(path.join(snap, 'etc'));
    await writeFile(path.join(snap, 'etc/a'), 'a');
    execFileSync('mknod', [path.join(snap, 'gone'), 'c', '0', '0']);
    await writeFile(path.join(snap, 'gone2'), '');
    setAttributeSync(path.join(snap, 'gone2'), 'trusted.overlay.whiteout', '');
    setAttributeSync(path.join(snap, 'etc'), 'trusted.overlay.opaque', 'y');
    setAttributeSync(path.join(snap, 'etc'), 'trusted.overlay.origin', Buffer.from([1, 2]));
    const entries = await readTar(await layerBytes(snap));
    // Sorted by on-disk name: the whiteout of `gone` sorts as `gone`, after `etc`.
    expect(entries.map((e) => e.header.name)).toEqual([
      'etc/',
      'etc/.wh..wh..opq',
      'etc/a',
      '.wh.gone',
      '.wh.gone2',
    ]);
    const etc = entries.find((e) => e.header.name === 'etc/')!;
    expect([...etc.pax.keys()].filter((k) => k.includes('overlay'))).toEqual([]);
    expect(entries.find((e) => e.header.name === '.wh.gone')!.header).toMatchObject({
      type: 'file',
      size: 0,
    });
  });

  it('uses PAX uid/gid for ids beyond the ustar fields', async () => {
    const snap = path.join(dir, 'snap');
    await writeFile(path.join(snap, 'f'), '');
    execFileSync('chown', ['3000000:4000000', path.join(snap, 'f')]);
    const header = await firstHeader(snap);
    expect(header.pax.get('uid')?.toString()).toBe('3000000');
    expect(header.pax.get('gid')?.toString()).toBe('4000000');
    const out = path.join(dir, 'out');
    await applyLayer(packLayer(snap), out);
    expect(await lstat(path.join(out, 'f'))).toMatchObject({ uid: 3000000, gid: 4000000 });
  });

  it('keeps ownership, devices, fifos and binary xattrs (security.capability) byte-exact', async () => {
    const snap = path.join(dir, 'snap');
    await writeFile(path.join(snap, 'ping'), 'bin');
    // chown first: the kernel drops file capabilities on chown.
    execFileSync('chown', ['1234:5678', path.join(snap, 'ping')]);
    setAttributeSync(path.join(snap, 'ping'), 'security.capability', CAP);
    setAttributeSync(path.join(snap, 'ping'), 'user.note', 'hi');
    execFileSync('mknod', [path.join(snap, 'null'), 'c', '1', '3']);
    execFileSync('mknod', [path.join(snap, 'loop'), 'b', '7', '260']);
    execFileSync('mkfifo', [path.join(snap, 'pipe')]);
    const bytes = await layerBytes(snap);
    const byName = new Map((await readTar(bytes)).map((e) => [e.header.name, e]));
    const ping = byName.get('ping')!;
    expect(ping.header).toMatchObject({ uid: 1234, gid: 5678 });
    expect(ping.pax.get('SCHILY.xattr.security.capability')?.equals(CAP)).toBe(true);
    expect(ping.pax.get('SCHILY.xattr.user.note')?.toString()).toBe('hi');
    expect(byName.get('null')!.header).toMatchObject({ type: 'character-device', devmajor: 1, devminor: 3 });
    expect(byName.get('loop')!.header).toMatchObject({ type: 'block-device', devmajor: 7, devminor: 260 });
    expect(byName.get('pipe')!.header.type).toBe('fifo');
    // GNU tar sees the same capability bytes.
    const out = path.join(dir, 'x');
    await mkdir(out);
    // --no-same-owner: GNU tar chowns after setting xattrs, and chown drops file capabilities.
    execFileSync(
      'tar',
      ['--xattrs', '--xattrs-include=*', '--no-same-owner', '-xpf', '-', '-C', out, 'ping'],
      {
        input: bytes,
      },
    );
    const got = execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-cf', '-', '-C', out, 'ping']);
    const [again] = await readTar(got);
    expect(again!.pax.get('SCHILY.xattr.security.capability')?.equals(CAP)).toBe(true);
  });
});
