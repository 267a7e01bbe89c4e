import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setAttribute } from '@napi-rs/xattr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { lookupInLayers, OPAQUE_XATTR } from '../../src/executor/index.ts';
import { WHITEOUT_XATTR } from '../../src/executor/snapshot/whiteout.ts';
import { isRoot } from './support/busybox.ts';

// Whiteouts are character devices and opaque markers are trusted.* xattrs: both need root.
describe.skipIf(!isRoot)('lookupInLayers (needs root: mknod whiteouts and trusted.* xattrs)', () => {
  let dir: string;
  let upper: string;
  let lower: string;
  let layers: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-lookup-'));
    upper = join(dir, 'upper');
    lower = join(dir, 'lower');
    for (const path of ['a', 'd', 'f', 'etc', 'x/y']) await mkdir(join(lower, path), { recursive: true });
    await writeFile(join(lower, 'a/file1'), 'one');
    await writeFile(join(lower, 'a/file2'), 'two');
    await writeFile(join(lower, 'etc/passwd'), 'root:x:0:0::/:/bin/sh\n');
    await writeFile(join(lower, 'd/old'), 'old');
    await mkdir(join(lower, 'f/child'));
    await symlink('/a', join(lower, 'link'));
    await symlink('a/file2', join(lower, 'rel'));
    await symlink('../../../../../etc', join(lower, 'x/y/escape'));
    await symlink('/../../etc/passwd', join(lower, 'abs-escape'));
    await symlink('loop2', join(lower, 'loop1'));
    await symlink('loop1', join(lower, 'loop2'));

    await mkdir(join(upper, 'a'), { recursive: true });
    execFileSync('mknod', [join(upper, 'a/file1'), 'c', '0', '0']);
    await mkdir(join(upper, 'd'));
    await setAttribute(join(upper, 'd'), OPAQUE_XATTR, 'y');
    await writeFile(join(upper, 'd/new'), 'new');
    await writeFile(join(upper, 'f'), 'now a file');
    await writeFile(join(upper, 'a/added'), 'added');
    // overlayfs's other whiteout form, used where 0/0 devices cannot be made.
    await writeFile(join(upper, 'a/file2-x'), '');
    await writeFile(join(lower, 'a/file2-x'), 'hidden');
    await setAttribute(join(upper, 'a/file2-x'), WHITEOUT_XATTR, '');
    layers = [upper, lower];
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds a file in a lower layer through a directory present in both', async () => {
    const found = await lookupInLayers(layers, '/a/file2');
    expect(found).toMatchObject({
      kind: 'found',
      path: '/a/file2',
      type: 'file',
      hostPath: join(lower, 'a/file2'),
    });
  });

  it('prefers the upper copy and reports the layers a merged directory is made of', async () => {
    expect(await lookupInLayers(layers, '/a/added')).toMatchObject({ hostPath: join(upper, 'a/added') });
    expect(await lookupInLayers(layers, '/a')).toMatchObject({
      kind: 'found',
      type: 'directory',
      hostPath: join(upper, 'a'),
      layers: [upper, lower],
    });
  });

  it('treats a whiteout as deleted, in either form', async () => {
    expect(await lookupInLayers(layers, '/a/file1')).toMatchObject({ kind: 'missing', path: '/a/file1' });
    expect(await lookupInLayers(layers, '/a/file2-x')).toMatchObject({ kind: 'missing', path: '/a/file2-x' });
  });

  it('hides lower entries under an opaque directory', async () => {
    expect(await lookupInLayers(layers, '/d/old')).toMatchObject({ kind: 'missing', creatable: true });
    expect(await lookupInLayers(layers, '/d/new')).toMatchObject({ kind: 'found', type: 'file' });
    expect(await lookupInLayers(layers, '/d')).toMatchObject({ layers: [upper] });
  });

  it('reports a path under a file as missing and not creatable', async () => {
    expect(await lookupInLayers(layers, '/f/child')).toMatchObject({
      kind: 'missing',
      existingParent: '/',
      creatable: false,
    });
  });

  it('follows absolute and relative symlinks inside the rootfs', async () => {
    expect(await lookupInLayers(layers, '/link/file2')).toMatchObject({ path: '/a/file2', type: 'file' });
    expect(await lookupInLayers(layers, '/rel')).toMatchObject({ path: '/a/file2' });
    expect(await lookupInLayers(layers, '/link', { followFinal: false })).toMatchObject({
      path: '/link',
      type: 'symlink',
    });
  });

  it('never leaves the rootfs: .. and absolute targets stop at its root', async () => {
    const escaped = await lookupInLayers(layers, '/x/y/escape/passwd');
    expect(escaped).toMatchObject({
      kind: 'found',
      path: '/etc/passwd',
      hostPath: join(lower, 'etc/passwd'),
    });
    expect(await lookupInLayers(layers, '/abs-escape')).toMatchObject({ path: '/etc/passwd' });
    expect(await lookupInLayers(layers, '/../../../etc/passwd')).toMatchObject({ path: '/etc/passwd' });
  });

  it('gives the resolved parent of a missing path so it can be created', async () => {
    expect(await lookupInLayers(layers, '/link/new/deeper')).toMatchObject({
      kind: 'missing',
      path: '/a/new/deeper',
      existingParent: '/a',
      creatable: true,
    });
  });

  it('refuses a symlink loop with a SNAPSHOT error', async () => {
    const failure = await lookupInLayers(layers, '/loop1').catch((error: unknown) => error);
    expect(isTsbuildError(failure, 'SNAPSHOT')).toBe(true);
  });
});
