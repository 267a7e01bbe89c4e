/**
 * A 10 GiB sparse file in the context: a COPY that does not select it, or a .dockerignore that
 * excludes it, never reads it (the checksum reads only what a COPY copies). One that is copied
 * arrives whole and correct; docs/security.md gives the cost of copying all 10 GiB, measured by
 * hand, while this test copies a 256 MiB one.
 */
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContextHasher } from '../../src/cache/index.ts';
import { tempDirsForEachTest } from '../cache/tmp.ts';
import { E2E_REASON, E2E_SKIP, tsbuild } from '../support/cli.ts';
import { useBusyboxStore } from './support/busybox-store.ts';
import { runOutput } from './support/output.ts';

describe('a huge sparse file in the context', () => {
  const tempDir = tempDirsForEachTest();

  it('is not read when no COPY selects it, or when .dockerignore excludes it', async () => {
    const context = await tempDir('tsbuild-sparse-');
    await writeFile(path.join(context, 'huge'), '');
    await truncate(path.join(context, 'huge'), 10 * 1024 ** 3);
    await writeFile(path.join(context, 'small'), 'small\n');
    const hasher = createContextHasher();
    const one = await hasher.checksum(context, { sources: ['small'] });
    expect(one.stats.filesRead).toBe(1);
    const all = await hasher.checksum(context, { sources: ['.'], ignore: ['huge'] });
    expect(all.entries.map((e) => e.path)).toEqual(['.', 'small']);
    expect(all.stats.filesRead).toBe(1);
  });
});

describe.skipIf(E2E_SKIP)(`a copied sparse file (${E2E_REASON})`, () => {
  const store = useBusyboxStore('tsbuild-sparse-build-');

  it('arrives with its size and its zeros', async () => {
    const context = path.join(store.dir, 'context');
    await mkdir(context);
    const size = 256 * 1024 * 1024;
    await writeFile(path.join(context, 'sparse'), '');
    await truncate(path.join(context, 'sparse'), size);
    await writeFile(
      path.join(context, 'Dockerfile'),
      `FROM busybox:local\nCOPY sparse /sparse\nRUN stat -c %s /sparse && head -c ${size} /dev/zero | cmp - /sparse && echo zeros\n`,
    );
    const built = await tsbuild(['build', '--progress=plain', context], { root: store.root });
    expect(built.code, built.stderr).toBe(0);
    expect(runOutput(built.stderr)).toEqual([String(size), 'zeros']);
  });
});
