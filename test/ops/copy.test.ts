/**
 * COPY against Docker/BuildKit semantics, with real copies into snapshots: sources, destinations,
 * --from through layers (whiteouts, opaque dirs), ownership, modes, --parents, --exclude,
 * hostile destination symlinks, hardlinks, xattrs, mtimes, --link.
 */
import { execFileSync } from 'node:child_process';
import { chmod, link, lstat, mkdir, readdir, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getAttribute, setAttribute } from '@napi-rs/xattr';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { OPAQUE_XATTR } from '../../src/executor/index.ts';
import { createCopyOp } from '../../src/ops/copy.ts';
import type { StateResult } from '../../src/ops/types.ts';
import {
  copyStep,
  fakeContext,
  hostPathIn,
  inputsFor,
  isRoot,
  readIn,
  runCopy,
  stateFrom,
  useOpsStore,
} from './support.ts';

async function tree(dir: string, files: Record<string, string>): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

describe.skipIf(!isRoot)('COPY into snapshots (needs root: owners, xattrs, overlay whiteouts)', () => {
  const fx = useOpsStore();
  let context: string;
  let base: StateResult;

  beforeAll(async () => {
    context = await tree(await fx.tempDir(), {
      'a.txt': 'A',
      'b.txt': 'B',
      'c.md': 'C',
      'dir/one.txt': '1',
      'dir/sub/two.txt': '2',
      'dir/debug.log': 'log',
      'src/app/main.ts': 'main',
    });
    base = await stateFrom(fx.services, async (up) => {
      await tree(up, {
        'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n',
        'etc/group': 'root:x:0:\nstaff:x:1001:\n',
        'existing/keep': 'k',
      });
      await symlink('/', join(up, 'evil'));
      await symlink('../../..', join(up, 'up'));
    });
  });

  const copy = (fields: Parameters<typeof copyStep>[0], states: readonly StateResult[] = [base]) =>
    runCopy(fx.services, copyStep(fields), inputsFor(context), states);

  it('copies a directory’s contents, not the directory', async () => {
    const { state } = await copy({ sources: ['dir'], dest: '/app/' });
    expect(await readIn(fx.services, state, '/app/one.txt')).toBe('1');
    expect(await readIn(fx.services, state, '/app/sub/two.txt')).toBe('2');
    expect(await hostPathIn(fx.services, state, '/app/dir')).toBeUndefined();
    expect(state.layers).toHaveLength(2);
  });

  it('expands wildcards and copies several sources into a dir ending in /', async () => {
    const { state } = await copy({ sources: ['*.txt', 'c.md'], dest: '/many/' });
    expect(await readIn(fx.services, state, '/many/a.txt')).toBe('A');
    expect(await readIn(fx.services, state, '/many/b.txt')).toBe('B');
    expect(await readIn(fx.services, state, '/many/c.md')).toBe('C');
  });

  it('gives a single file a new name, and puts it inside an existing directory named without /', async () => {
    const renamed = await copy({ sources: ['a.txt'], dest: '/opt/renamed.txt' });
    expect(await readIn(fx.services, renamed.state, '/opt/renamed.txt')).toBe('A');
    const into = await copy({ sources: ['a.txt'], dest: '/existing' });
    expect(await readIn(fx.services, into.state, '/existing/a.txt')).toBe('A');
    expect(await readIn(fx.services, into.state, '/existing/keep')).toBe('k');
  });

  it('names the paths that exist near a missing source, and refuses escaping sources', async () => {
    const missing = copy({ sources: ['a.tx'], dest: '/x/' });
    await expect(missing).rejects.toThrow(/COPY source "a.tx" not found/);
    await missing.catch((err) => expect(err.hint).toMatch(/a\.txt/));
    await expect(copy({ sources: ['../outside'], dest: '/x/' })).rejects.toThrow(/outside the build context/);
  });

  it('resolves destination symlinks inside the rootfs, never on the host', async () => {
    const marker = `tsbuild-escape-${process.pid}.txt`;
    const through = await copy({ sources: ['a.txt'], dest: `/evil/tmp/${marker}` });
    expect(await readIn(fx.services, through.state, `/tmp/${marker}`)).toBe('A');
    const upward = await copy({ sources: ['b.txt'], dest: '/up/etc/' });
    expect(await readIn(fx.services, upward.state, '/etc/b.txt')).toBe('B');
    await expect(stat(`/tmp/${marker}`)).rejects.toThrow();
    await expect(stat('/etc/b.txt')).rejects.toThrow();
  });

  it('--chown takes names from the image’s passwd/group, or numbers', async () => {
    const named = await copy({ sources: ['a.txt'], dest: '/o/', chown: 'app:staff' });
    const st = await lstat((await hostPathIn(fx.services, named.state, '/o/a.txt'))!);
    expect([st.uid, st.gid]).toEqual([1000, 1001]);
    const numeric = await copy({ sources: ['a.txt'], dest: '/n/', chown: '7:8' });
    const st2 = await lstat((await hostPathIn(fx.services, numeric.state, '/n/a.txt'))!);
    expect([st2.uid, st2.gid]).toEqual([7, 8]);
    await expect(copy({ sources: ['a.txt'], dest: '/n/', chown: 'nobody-here' })).rejects.toThrow(
      /nobody-here/,
    );
  });

  it('writes entry modes: the umask rule, octal and symbolic --chmod', async () => {
    await chmod(join(context, 'b.txt'), 0o664);
    const plain = await copy({ sources: ['b.txt'], dest: '/m/' });
    expect((await lstat((await hostPathIn(fx.services, plain.state, '/m/b.txt'))!)).mode & 0o7777).toBe(
      0o644,
    );
    const octal = await copy({ sources: ['b.txt'], dest: '/m/', chmod: '0751' });
    expect((await lstat((await hostPathIn(fx.services, octal.state, '/m/b.txt'))!)).mode & 0o7777).toBe(
      0o751,
    );
    const symbolic = await copy({ sources: ['b.txt'], dest: '/m/', chmod: 'u+x,g+w' });
    expect((await lstat((await hostPathIn(fx.services, symbolic.state, '/m/b.txt'))!)).mode & 0o7777).toBe(
      0o764,
    );
    await chmod(join(context, 'b.txt'), 0o644);
  });

  it('--parents keeps source paths; --exclude leaves matches out', async () => {
    const parents = await copy({ sources: ['src/app/main.ts', 'dir/one.txt'], dest: '/p/', parents: true });
    expect(await readIn(fx.services, parents.state, '/p/src/app/main.ts')).toBe('main');
    expect(await readIn(fx.services, parents.state, '/p/dir/one.txt')).toBe('1');
    const excluded = await copy({ sources: ['dir'], dest: '/e/', exclude: ['*.log'] });
    expect(await readIn(fx.services, excluded.state, '/e/one.txt')).toBe('1');
    expect(await hostPathIn(fx.services, excluded.state, '/e/debug.log')).toBeUndefined();
  });

  it('keeps hardlinks within one COPY, xattrs and mtimes', async () => {
    const dir = await tree(await fx.tempDir(), { 'h/first': 'same' });
    await link(join(dir, 'h/first'), join(dir, 'h/second'));
    await setAttribute(join(dir, 'h/first'), 'user.origin', 'tsbuild-test');
    const when = new Date('2020-02-02T02:02:02Z');
    await utimes(join(dir, 'h/first'), when, when);
    const { state } = await runCopy(fx.services, copyStep({ sources: ['h'], dest: '/h/' }), inputsFor(dir), [
      base,
    ]);
    const first = await lstat((await hostPathIn(fx.services, state, '/h/first'))!);
    const second = await lstat((await hostPathIn(fx.services, state, '/h/second'))!);
    expect(second.ino).toBe(first.ino);
    expect(first.nlink).toBe(2);
    expect(first.mtime.toISOString()).toBe(when.toISOString());
    const attr = await getAttribute((await hostPathIn(fx.services, state, '/h/first'))!, 'user.origin');
    expect(attr?.toString()).toBe('tsbuild-test');
  });

  it('--from selects through layers: whiteouts hide, opaque dirs end the view downwards', async () => {
    const lower = await stateFrom(fx.services, async (up) => {
      await tree(up, { 'data/keep': 'keep', 'data/gone': 'gone', 'data/old/inner': 'old', 'other/x': 'x' });
    });
    const upper = await stateFrom(
      fx.services,
      async (up) => {
        await mkdir(join(up, 'data/old'), { recursive: true });
        execFileSync('mknod', [join(up, 'data/gone'), 'c', '0', '0']);
        await setAttribute(join(up, 'data/old'), OPAQUE_XATTR, 'y');
        await writeFile(join(up, 'data/old/new'), 'new');
      },
      lower,
    );
    const { state } = await copy({ sources: ['/data'], dest: '/got/', from: { kind: 'stage', stage: 0 } }, [
      base,
      upper,
    ]);
    expect(await readIn(fx.services, state, '/got/keep')).toBe('keep');
    expect(await hostPathIn(fx.services, state, '/got/gone')).toBeUndefined();
    expect(await readIn(fx.services, state, '/got/old/new')).toBe('new');
    expect(await hostPathIn(fx.services, state, '/got/old/inner')).toBeUndefined();
    const wild = await copy({ sources: ['/data/k*'], dest: '/w/', from: { kind: 'stage', stage: 0 } }, [
      base,
      upper,
    ]);
    expect(await readIn(fx.services, wild.state, '/w/keep')).toBe('keep');
    await expect(
      copy({ sources: ['/data/gone'], dest: '/w/', from: { kind: 'stage', stage: 0 } }, [base, upper]),
    ).rejects.toThrow(/not found in the source stage/);
  });

  it('COPY --from keeps its result when the source was rebuilt into the same files (content key)', async () => {
    const stage = (extra: string) =>
      stateFrom(fx.services, async (up) => {
        await tree(up, { 'out/app.bin': 'binary', [`scratch/${extra}`]: extra });
      });
    const step = copyStep({
      sources: ['/out/app.bin'],
      dest: '/usr/bin/',
      from: { kind: 'stage', stage: 0 },
    });
    const op = createCopyOp({ step, services: fx.services, inputs: inputsFor(context) });
    const ctx = fakeContext();
    const firstSource = await stage('one');
    const firstKey = await op.cacheKey(['sha256:parent', 'sha256:source-1'], ctx);
    expect(await op.loadByContent?.([base, firstSource], firstKey, ctx)).toBeUndefined();
    const first = await op.run([base, firstSource], firstKey, ctx);

    const rebuilt = createCopyOp({ step, services: fx.services, inputs: inputsFor(context) });
    const secondKey = await rebuilt.cacheKey(['sha256:parent', 'sha256:source-2'], ctx);
    expect(secondKey).not.toBe(firstKey);
    expect(await rebuilt.load(secondKey, ctx)).toBeUndefined();
    const same = await rebuilt.loadByContent?.([base, await stage('two')], secondKey, ctx);
    expect(same?.result.layers).toEqual(first.layers);
    expect(same?.key).toBe(firstKey);

    const changed = createCopyOp({
      step,
      services: fx.services,
      inputs: inputsFor(context),
    });
    const thirdKey = await changed.cacheKey(['sha256:parent', 'sha256:source-3'], ctx);
    const other = await stateFrom(fx.services, async (up) => {
      await tree(up, { 'out/app.bin': 'other binary' });
    });
    expect(await changed.loadByContent?.([base, other], thirdKey, ctx)).toBeUndefined();
  });

  it('heredoc COPY to a file name writes that file', async () => {
    const { state } = await copy({
      sources: [],
      inline: [{ name: 'EOF', content: 'hello\n' }],
      dest: '/etc/motd',
    });
    expect(await readIn(fx.services, state, '/etc/motd')).toBe('hello\n');
  });

  it('--link writes onto scratch with a key that leaves the parent out', async () => {
    const step = copyStep({ sources: ['a.txt'], dest: '/linked/', link: true });
    const first = await runCopy(fx.services, step, inputsFor(context), [], [], 'scratch');
    const again = await runCopy(fx.services, step, inputsFor(context), [], [], 'scratch');
    expect(again.key).toBe(first.key);
    expect(first.state.layers).toHaveLength(1);
    const upperFiles = await readdir((await hostPathIn(fx.services, first.state, '/'))!);
    expect(upperFiles).toEqual(['linked']);
    const onParent = await copy({ sources: ['a.txt'], dest: '/linked/', link: true });
    expect(onParent.key).not.toBe(first.key);
  });

  it('refuses COPY of a URL and ADD of a git repository with a clear message', async () => {
    await expect(copy({ sources: ['https://example.invalid/x'], dest: '/x' })).rejects.toSatisfy(
      (err: unknown) => isTsbuildError(err, 'DF_PLAN') && /only ADD/.test((err as Error).message),
    );
    await expect(
      copy({ add: true, sources: ['https://example.invalid/repo.git'], dest: '/x' }),
    ).rejects.toThrow(/git repository .* not supported yet/);
    await expect(copy({ add: true, sources: ['git@example.invalid:org/repo'], dest: '/x' })).rejects.toThrow(
      /not supported yet/,
    );
  });
});
