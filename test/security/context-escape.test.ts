/**
 * A context whose symlinks point out of it — to `/`, to `..`, to the store — must never let a
 * COPY read, or an error message list, anything outside the context: not through the source
 * itself, not through a directory on its path, not through a wildcard. Checked at the context
 * hasher, which decides what a COPY reads (no containers needed).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContextHasher } from '../../src/cache/index.ts';
import { isTsbuildError } from '../../src/errors.ts';

describe('context symlinks that lead out of the context', () => {
  let dir: string;
  let context: string;
  const hasher = createContextHasher();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-ctx-escape-'));
    context = path.join(dir, 'context');
    await mkdir(path.join(context, 'inside'), { recursive: true });
    await writeFile(path.join(dir, 'outside-secret'), 'secret\n');
    await writeFile(path.join(context, 'inside', 'file'), 'inside\n');
    await symlink('/', path.join(context, 'rootlink'));
    await symlink('..', path.join(context, 'up'));
    await symlink(path.join(dir, 'store'), path.join(context, 'storelink'));
    await mkdir(path.join(dir, 'store', 'snapshots'), { recursive: true });
    await writeFile(path.join(dir, 'store', 'snapshots', 'last-id'), '7\n');
    await symlink('inside', path.join(context, 'inlink'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const select = (source: string) => hasher.checksum(context, { sources: [source] });

  for (const source of [
    'rootlink/etc/hostname',
    'up/outside-secret',
    'storelink/snapshots/last-id',
    'up/*secret',
    'up/context/../outside-secret',
    'rootlink',
    'up',
  ]) {
    it(`refuses ${source}`, async () => {
      const error = await select(source).catch((e: unknown) => e);
      expect(isTsbuildError(error, 'CONTEXT'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/outside the build context/);
    });
  }

  it('lists nothing outside the context when a source through such a link is missing', async () => {
    const error = await select('up/nonexistent/x').catch((e: unknown) => e);
    expect(isTsbuildError(error, 'CONTEXT')).toBe(true);
    expect(`${(error as Error).message} ${(error as { hint?: string }).hint}`).not.toContain(
      'outside-secret',
    );
  });

  it('still follows links that stay inside the context, and copies links in a directory as links', async () => {
    const through = await select('inlink/file');
    expect(through.entries.map((e) => `${e.type} ${e.path} -> ${e.dest}`)).toEqual([
      'file inlink/file -> file',
    ]);
    const all = await select('.');
    const links = all.entries.filter((e) => e.type === 'symlink').map((e) => `${e.path} -> ${e.target}`);
    expect(links.sort()).toEqual([
      'inlink -> inside',
      'rootlink -> /',
      `storelink -> ${path.join(dir, 'store')}`,
      'up -> ..',
    ]);
    expect(all.entries.some((e) => e.path.includes('outside-secret') || e.path.includes('last-id'))).toBe(
      false,
    );
  });
});
