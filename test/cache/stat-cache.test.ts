import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContextHasher } from '../../src/cache/index.ts';
import { tempDirsForEachTest } from './tmp.ts';

const tempDir = tempDirsForEachTest();

async function context(count: number): Promise<string> {
  const dir = await tempDir('tsbuild-ctx-');
  await mkdir(path.join(dir, 'src'));
  await Promise.all(
    Array.from({ length: count }, (_, i) => writeFile(path.join(dir, 'src', `f${i}.txt`), `content ${i}`)),
  );
  return dir;
}

describe('persistent stat cache', () => {
  it('re-checksums an unchanged context without reading a file, in a new process', async () => {
    const root = await tempDir('tsbuild-root-');
    const dir = await context(50);
    // A zero racy window trusts fresh files at once; the default is covered below.
    const cold = await createContextHasher({ root, racyWindowMs: 0 }).checksum(dir, { sources: ['.'] });
    expect(cold.stats.filesRead).toBe(50);
    const warm = await createContextHasher({ root, racyWindowMs: 0 }).checksum(dir, { sources: ['.'] });
    expect(warm.stats).toEqual({ statHits: 52, filesRead: 0 });
    expect(warm.digest).toBe(cold.digest);
  });

  it('reads exactly the files whose stat changed', async () => {
    const root = await tempDir('tsbuild-root-');
    const dir = await context(20);
    const hasher = createContextHasher({ root, racyWindowMs: 0 });
    const before = await hasher.checksum(dir, { sources: ['.'] });
    await writeFile(path.join(dir, 'src', 'f3.txt'), 'changed');
    const after = await hasher.checksum(dir, { sources: ['.'] });
    expect(after.stats.filesRead).toBe(1);
    expect(after.digest).not.toBe(before.digest);
  });

  it('re-reads a copy with new inodes and finds the same checksum', async () => {
    const root = await tempDir('tsbuild-root-');
    const dir = await context(10);
    const hasher = createContextHasher({ root, racyWindowMs: 0 });
    const original = await hasher.checksum(dir, { sources: ['.'] });
    const copy = await tempDir('tsbuild-ctx-copy-');
    await cp(dir, copy, { recursive: true });
    const copied = await hasher.checksum(copy, { sources: ['.'] });
    expect(copied.stats.filesRead).toBe(10);
    expect(copied.digest).toBe(original.digest);
  });

  it('does not trust files written within the racy window', async () => {
    const root = await tempDir('tsbuild-root-');
    const dir = await context(5);
    await createContextHasher({ root }).checksum(dir, { sources: ['.'] });
    const again = await createContextHasher({ root }).checksum(dir, { sources: ['.'] });
    expect(again.stats.filesRead).toBe(5);
  });

  it('hashes without a stat cache when no root is given', async () => {
    const dir = await context(3);
    const hasher = createContextHasher();
    await hasher.checksum(dir, { sources: ['.'] });
    expect((await hasher.checksum(dir, { sources: ['.'] })).stats.filesRead).toBe(3);
  });
});

describe('stat cache housekeeping', () => {
  it('forgets deleted files but keeps entries outside what a COPY walked', async () => {
    const root = await tempDir('tsbuild-root-');
    const dir = await context(4);
    await writeFile(path.join(dir, 'top.txt'), 'top');
    // File times come from the kernel's coarse clock, which can read a little ahead of a
    // millisecond-truncated Date.now(): let it pass so no entry is held back as racy.
    await new Promise((r) => setTimeout(r, 20));
    const hasher = () => createContextHasher({ root, racyWindowMs: 0 });
    await hasher().checksum(dir, { sources: ['.'] });
    await rm(path.join(dir, 'src', 'f0.txt'));
    await hasher().checksum(dir, { sources: ['src'] });
    const [file] = await readdir(path.join(root, 'cache', 'stat'));
    const saved = JSON.parse(await readFile(path.join(root, 'cache', 'stat', file!), 'utf8')) as {
      entries: Record<string, unknown>;
    };
    expect(Object.keys(saved.entries).sort()).toEqual([
      '.',
      'src',
      'src/f1.txt',
      'src/f2.txt',
      'src/f3.txt',
      'top.txt',
    ]);
  });
});
