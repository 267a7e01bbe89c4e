import { chmod, cp, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ContextSelection, createContextHasher } from '../../src/cache/index.ts';
import { isTsbuildError } from '../../src/errors.ts';
import { tempDirsForEachTest } from './tmp.ts';

const tempDir = tempDirsForEachTest();

async function makeContext(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('tsbuild-ctx-');
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  return dir;
}

const app = { 'src/main.ts': 'main', 'src/util.ts': 'util', 'README.md': 'readme', 'docs/a.md': 'a' };

async function digest(dir: string, selection: ContextSelection): Promise<string> {
  return (await createContextHasher().checksum(dir, selection)).digest;
}

describe('context checksum', () => {
  it('lists exactly the selected entries with destinations relative to the COPY target', async () => {
    const dir = await makeContext(app);
    const sum = await createContextHasher().checksum(dir, { sources: ['src', 'README.md'] });
    expect(sum.entries.map((e) => [e.path, e.dest, e.type])).toEqual([
      ['src', '.', 'dir'],
      ['src/main.ts', 'main.ts', 'file'],
      ['src/util.ts', 'util.ts', 'file'],
      ['README.md', 'README.md', 'file'],
    ]);
    expect(sum.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(sum.entries[1]!.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes with content, mode, added and deleted files, symlink targets and --chown', async () => {
    const dir = await makeContext(app);
    const base = await digest(dir, { sources: ['src'] });
    await writeFile(path.join(dir, 'src/main.ts'), 'main2');
    const content = await digest(dir, { sources: ['src'] });
    expect(content).not.toBe(base);
    await chmod(path.join(dir, 'src/main.ts'), 0o755);
    const mode = await digest(dir, { sources: ['src'] });
    expect(mode).not.toBe(content);
    await writeFile(path.join(dir, 'src/new.ts'), 'x');
    const added = await digest(dir, { sources: ['src'] });
    expect(added).not.toBe(mode);
    expect(await digest(dir, { sources: ['src'], chown: { uid: 1000, gid: 1000 } })).not.toBe(added);
    await symlink('main.ts', path.join(dir, 'src/link'));
    const linked = await digest(dir, { sources: ['src'] });
    await import('node:fs/promises').then((fs) => fs.rm(path.join(dir, 'src/link')));
    await symlink('util.ts', path.join(dir, 'src/link'));
    expect(await digest(dir, { sources: ['src'] })).not.toBe(linked);
  });

  it('ignores mtime, atime, inode and the group/other write bits (the umask rule)', async () => {
    const dir = await makeContext(app);
    await chmod(path.join(dir, 'src/main.ts'), 0o644);
    const base = await digest(dir, { sources: ['.'] });
    await utimes(path.join(dir, 'src/main.ts'), new Date(1_000), new Date(2_000));
    await chmod(path.join(dir, 'src/main.ts'), 0o664);
    await chmod(path.join(dir, 'src'), 0o775);
    expect(await digest(dir, { sources: ['.'] })).toBe(base);
    const copy = await tempDir('tsbuild-ctx-copy-');
    await cp(dir, copy, { recursive: true });
    expect(await digest(copy, { sources: ['.'] })).toBe(base);
  });

  it('does not change when files outside the selection or ignored files change', async () => {
    const dir = await makeContext({ ...app, 'src/debug.log': 'x' });
    const selection = { sources: ['src'], ignore: ['*.md', '**/*.log'] };
    const base = await digest(dir, selection);
    await writeFile(path.join(dir, 'README.md'), 'changed');
    await writeFile(path.join(dir, 'src/debug.log'), 'changed');
    expect(await digest(dir, selection)).toBe(base);
    const sum = await createContextHasher().checksum(dir, selection);
    expect(sum.entries.map((e) => e.path)).not.toContain('src/debug.log');
  });

  it('expands wildcards and applies --exclude', async () => {
    const dir = await makeContext({ 'a.txt': '1', 'b.txt': '2', 'c.md': '3', 'sub/d.txt': '4' });
    const sum = await createContextHasher().checksum(dir, {
      sources: ['*.txt', 'sub'],
      excludes: ['b.txt', 'd.*'],
    });
    expect(sum.entries.map((e) => e.path)).toEqual(['a.txt', 'sub']);
  });

  it('keeps parent directories with --parents, below a /./ pivot when given', async () => {
    const dir = await makeContext({ 'x/y/z.txt': 'z' });
    const whole = await createContextHasher().checksum(dir, { sources: ['x/y/z.txt'], parents: true });
    expect(whole.entries.map((e) => e.dest)).toEqual(['x/y/z.txt']);
    const pivot = await createContextHasher().checksum(dir, { sources: ['x/./y/z.txt'], parents: true });
    expect(pivot.entries.map((e) => e.dest)).toEqual(['y/z.txt']);
  });

  it('refuses sources outside the context', async () => {
    const dir = await makeContext(app);
    for (const source of ['../etc/passwd', '/etc/passwd', 'src/../../x']) {
      const error = await createContextHasher()
        .checksum(dir, { sources: [source] })
        .catch((e: unknown) => e);
      expect(isTsbuildError(error, 'CONTEXT')).toBe(true);
    }
    await symlink('/etc', path.join(dir, 'escape'));
    await expect(createContextHasher().checksum(dir, { sources: ['escape'] })).rejects.toThrow(/outside/);
  });

  it('names nearby paths when a source is missing', async () => {
    const dir = await makeContext(app);
    const error = await createContextHasher()
      .checksum(dir, { sources: ['src/mian.ts'] })
      .catch((e: unknown) => e);
    expect(isTsbuildError(error, 'CONTEXT')).toBe(true);
    expect((error as Error).message).toContain('src/mian.ts');
    expect((error as { hint: string }).hint).toContain('src/main.ts');
  });

  it('treats an ignored source as missing', async () => {
    const dir = await makeContext(app);
    await expect(
      createContextHasher().checksum(dir, { sources: ['README.md'], ignore: ['*.md'] }),
    ).rejects.toThrow(/excluded by .dockerignore/);
  });
});

describe('context checksum and extended attributes', () => {
  it('changes when a file gains an xattr', async () => {
    const { setAttribute } = await import('@napi-rs/xattr');
    const dir = await makeContext(app);
    const before = await digest(dir, { sources: ['src'] });
    await setAttribute(path.join(dir, 'src/main.ts'), 'user.tsbuild.test', 'x');
    const sum = await createContextHasher().checksum(dir, { sources: ['src'] });
    expect(sum.entries.find((e) => e.path === 'src/main.ts')?.xattrs).toEqual({
      'user.tsbuild.test': 'eA==',
    });
    expect(sum.digest).not.toBe(before);
  });
});

describe('context checksum and special files', () => {
  it('leaves FIFOs out of a copied directory and refuses one named as a source', async () => {
    const { execFileSync } = await import('node:child_process');
    const dir = await makeContext(app);
    execFileSync('mkfifo', [path.join(dir, 'src/pipe')]);
    const sum = await createContextHasher().checksum(dir, { sources: ['src'] });
    expect(sum.entries.map((e) => e.path)).toEqual(['src', 'src/main.ts', 'src/util.ts']);
    await expect(createContextHasher().checksum(dir, { sources: ['src/pipe'] })).rejects.toThrow(/FIFO/);
  });
});

describe('context checksum by generation', () => {
  it('answers a selection it has seen under the same generation from memory, and looks again under a new one', async () => {
    const dir = await makeContext(app);
    const hasher = createContextHasher();
    const first = await hasher.checksum(dir, { sources: ['src'] }, { generation: 'g1' });
    expect(first.stats.filesRead).toBe(2);
    // The caller promised nothing changes without a new generation: the same answer, no file looked at.
    await writeFile(path.join(dir, 'src/main.ts'), 'changed behind the caller');
    const again = await hasher.checksum(dir, { sources: ['src'] }, { generation: 'g1' });
    expect(again.digest).toBe(first.digest);
    expect(again.stats).toEqual({ statHits: 0, filesRead: 0 });
    // --chmod and --chown still apply to a remembered walk.
    const chowned = await hasher.checksum(
      dir,
      { sources: ['src'], chown: { uid: 7, gid: 8 }, chmod: () => 0o600 },
      { generation: 'g1' },
    );
    expect(chowned.entries.map((e) => [e.uid, e.gid, e.mode])).toEqual([
      [7, 8, 0o600],
      [7, 8, 0o600],
      [7, 8, 0o600],
    ]);
    expect(chowned.stats.filesRead).toBe(0);
    // A new generation reads the change; without one, nothing is remembered.
    const next = await hasher.checksum(dir, { sources: ['src'] }, { generation: 'g2' });
    expect(next.digest).not.toBe(first.digest);
    expect(next.digest).toBe(await digest(dir, { sources: ['src'] }));
    expect(next.stats.filesRead).toBe(2); // no stat cache here: both files are read again
    expect(
      (await hasher.checksum(dir, { sources: ['README.md'] }, { generation: 'g2' })).entries,
    ).toHaveLength(1);
  });
});
