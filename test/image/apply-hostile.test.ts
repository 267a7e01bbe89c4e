import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyLayer } from '../../src/image/index.ts';
import { buildTar, type RawEntry, tempDir } from './support/tar.ts';

let base: string;
let cleanup: () => Promise<void>;
let target: string;
let outside: string;

beforeEach(async () => {
  ({ dir: base, cleanup } = await tempDir('tsbuild-hostile-'));
  target = path.join(base, 'target');
  outside = path.join(base, 'outside');
  await mkdir(path.join(outside, 'sub'), { recursive: true });
  await writeFile(path.join(outside, 'victim'), 'original');
  await writeFile(path.join(outside, 'sub', 'keep'), 'keep');
  await mkdir(target);
});
afterEach(async () => cleanup());

/** Everything under `base` except the target: type, mode, size, content hash, link target, mtime. */
async function fingerprint(dir = base): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const full = path.join(dir, name);
    if (full === target) continue;
    const s = await lstat(full);
    let extra = '';
    if (s.isFile())
      extra = createHash('sha256')
        .update(await readFile(full))
        .digest('hex');
    if (s.isSymbolicLink()) extra = await readlink(full);
    out.push(`${path.relative(base, full)} ${s.mode} ${s.size} ${s.mtimeMs} ${s.nlink} ${extra}`);
    if (s.isDirectory()) out.push(...(await fingerprint(full)));
  }
  return out;
}

async function applyAll(layers: readonly (readonly RawEntry[])[], options = {}): Promise<void> {
  for (const entries of layers) await applyLayer(Readable.from([await buildTar(entries)]), target, options);
}

const file = (name: string, data = 'pwned'): RawEntry => ({ header: { name, type: 'file' }, data });
const symlink = (name: string, linkname: string): RawEntry => ({
  header: { name, type: 'symlink', linkname },
});
const hardlink = (name: string, linkname: string): RawEntry => ({ header: { name, type: 'link', linkname } });
const dir = (name: string): RawEntry => ({ header: { name, type: 'directory', mode: 0o40755 } });

interface Case {
  readonly name: string;
  readonly layers: () => RawEntry[][];
  /** A LAYER_UNSAFE refusal, or a path inside the target where the write harmlessly landed. */
  readonly outcome: { readonly refused: RegExp } | { readonly landedAt: () => string };
}

/** The host path of the outside dir; a function because it exists only after beforeEach. */
const abs = () => outside;

const cases: readonly Case[] = [
  { name: '.. in a file name', layers: () => [[file('../victim')]], outcome: { refused: /climbs out/ } },
  {
    name: '.. in the middle of a name',
    layers: () => [[file('a/../../victim')]],
    outcome: { refused: /climbs out/ },
  },
  {
    name: 'absolute file name',
    layers: () => [[file(`${abs()}/victim`)]],
    outcome: { landedAt: () => `${abs()}/victim` },
  },
  {
    name: 'relative symlink out, then a file through it',
    layers: () => [[symlink('up', '../outside'), file('up/victim')]],
    outcome: { landedAt: () => 'outside/victim' },
  },
  {
    name: 'absolute symlink to the host dir, then a file through it',
    layers: () => [[symlink('host', abs()), file('host/victim')]],
    outcome: { landedAt: () => `${abs()}/victim` },
  },
  {
    name: 'symlink to / then a deep write through it',
    layers: () => [[symlink('rootlink', '/'), file(`rootlink${abs()}/sub/keep`)]],
    outcome: { landedAt: () => `${abs()}/sub/keep` },
  },
  {
    name: 'symlink planted by an earlier layer, written through by a later one',
    layers: () => [[symlink('planted', abs())], [file('planted/victim')]],
    outcome: { landedAt: () => `${abs()}/victim` },
  },
  {
    name: 'file entry replacing a symlink that points at a host file',
    layers: () => [[symlink('f', `${abs()}/victim`)], [file('f')]],
    outcome: { landedAt: () => 'f' },
  },
  {
    name: 'directory entry at a symlink, then a child',
    layers: () => [[symlink('d', abs()), dir('d/'), file('d/victim')]],
    outcome: { landedAt: () => 'd/victim' },
  },
  {
    name: 'hardlink with ..',
    layers: () => [[hardlink('h', '../outside/victim')]],
    outcome: { refused: /climbs out/ },
  },
  {
    name: 'hardlink to an absolute host path',
    layers: () => [[hardlink('h', `${abs()}/victim`)]],
    outcome: { refused: /not in the layers/ },
  },
  {
    name: 'hardlink through a symlink to the host',
    layers: () => [[symlink('l', abs()), hardlink('h', 'l/victim')]],
    outcome: { refused: /not in the layers/ },
  },
  {
    name: 'whiteout through a symlink to the host',
    layers: () => [[symlink('s', abs())], [file('s/.wh.victim', '')]],
    outcome: { landedAt: () => 's' },
  },
  {
    name: 'opaque marker through a symlink to the host',
    layers: () => [[symlink('s', abs())], [file('s/.wh..wh..opq', '')]],
    outcome: { landedAt: () => 's' },
  },
  { name: 'whiteout of ..', layers: () => [[file('a/.wh...', '')]], outcome: { refused: /names no file/ } },
  {
    name: 'NUL byte in a PAX path',
    layers: () => [[{ header: { name: 'x', type: 'file', pax: { path: 'ok\0/../../victim' } }, data: 'x' }]],
    outcome: { refused: /NUL/ },
  },
  {
    name: 'symlink loop',
    layers: () => [[symlink('a', 'b'), symlink('b', 'a'), file('a/x')]],
    outcome: { refused: /too many symlinks/ },
  },
  {
    name: 'hardlink then write through the hardlinked symlink',
    layers: () => [[symlink('s', abs()), hardlink('h', 's'), file('h/victim')]],
    outcome: { landedAt: () => `${abs()}/victim` },
  },
];

describe('applyLayer refuses or contains hostile layers', () => {
  it.each(cases)('$name', async (c) => {
    const before = await fingerprint();
    const attempt = applyAll(c.layers());
    if ('refused' in c.outcome) {
      await expect(attempt).rejects.toMatchObject({
        code: 'LAYER_UNSAFE',
        message: expect.stringMatching(c.outcome.refused),
      });
    } else {
      await attempt;
      await expect(lstat(path.join(target, c.outcome.landedAt()))).resolves.toBeTruthy();
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('stops a decompression bomb at the size limit', async () => {
    const before = await fingerprint();
    const bomb = gzipSync(
      await buildTar([{ header: { name: 'zeros', type: 'file' }, data: Buffer.alloc(8 << 20) }]),
    );
    expect(bomb.length).toBeLessThan(64 << 10);
    await expect(applyLayer(Readable.from([bomb]), target, { maxBytes: 1 << 20 })).rejects.toMatchObject({
      code: 'LAYER_UNSAFE',
      message: expect.stringMatching(/more than 1048576 bytes/),
    });
    expect(await fingerprint()).toEqual(before);
  });

  it('does not create device nodes when told devices are not allowed', async () => {
    const dev: RawEntry = {
      header: { name: 'sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o60600 },
    };
    const result = await applyLayer(Readable.from([await buildTar([dev])]), target, { devices: 'skip' });
    expect(result.skippedDevices).toBe(1);
    await expect(lstat(path.join(target, 'sda'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
