/**
 * Hostile build contexts through real builds: a Dockerfile that is a symlink out of the context,
 * symlinks to /, .., the store and in a loop, a FIFO, odd file names, a .dockerignore that hides
 * the Dockerfile. Each builds with the files copied exactly (links as links), or fails cleanly
 * with an error naming the path; nothing outside the context reaches an image or a message.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { E2E_REASON, E2E_SKIP, tsbuild } from '../support/cli.ts';
import { useBusyboxStore } from './support/busybox-store.ts';
import { runOutput } from './support/output.ts';

const MARKER = 'TOP-SECRET-HOST-FILE-7f3a';

describe.skipIf(E2E_SKIP)(`hostile build contexts (${E2E_REASON})`, () => {
  const store = useBusyboxStore('tsbuild-hostile-ctx-');
  let n = 0;

  beforeAll(async () => {
    await writeFile(path.join(store.dir, 'outside'), `${MARKER}\n`);
  });

  async function newContext(dockerfile: string | undefined): Promise<string> {
    const context = path.join(store.dir, `context-${++n}`);
    await mkdir(context);
    if (dockerfile !== undefined) await writeFile(path.join(context, 'Dockerfile'), dockerfile);
    return context;
  }

  async function build(context: string, extra: readonly string[] = []) {
    const result = await tsbuild(['build', '--progress=plain', '--no-cache', ...extra, context], {
      root: store.root,
    });
    const output = runOutput(result.stderr);
    return { ...result, output, error: result.stderr.split('\n').find((l) => l.startsWith('error:')) };
  }

  it('a Dockerfile that is a symlink out of the context is refused unread', async () => {
    const context = await newContext(undefined);
    await symlink(path.join(store.dir, 'outside'), path.join(context, 'Dockerfile'));
    const r = await build(context);
    expect(r.code).toBe(1);
    expect(r.error).toMatch(/Dockerfile .* is a symlink that leads outside the build context/);
    expect(r.stderr).not.toContain(MARKER);
    // Named explicitly with -f, a Dockerfile outside the context is the user's choice and is read.
    await writeFile(path.join(store.dir, 'outside.Dockerfile'), 'FROM busybox:local\nRUN echo explicit\n');
    const explicit = await build(context, ['-f', path.join(store.dir, 'outside.Dockerfile')]);
    expect(explicit.code, explicit.stderr).toBe(0);
  });

  it('symlinks to /, .., the store and in a loop are copied as links, never followed', async () => {
    const context = await newContext(
      'FROM busybox:local\nCOPY . /ctx\nRUN for l in root up store loop1 loop2; do echo "$l -> $(readlink /ctx/$l)"; done\n',
    );
    await symlink('/', path.join(context, 'root'));
    await symlink('..', path.join(context, 'up'));
    await symlink(store.root, path.join(context, 'store'));
    await symlink('loop2', path.join(context, 'loop1'));
    await symlink('loop1', path.join(context, 'loop2'));
    const r = await build(context);
    expect(r.code, r.stderr).toBe(0);
    expect(r.output).toEqual([
      'root -> /',
      'up -> ..',
      `store -> ${store.root}`,
      'loop1 -> loop2',
      'loop2 -> loop1',
    ]);
    const loop = await newContext('FROM busybox:local\nCOPY loop1 /x\n');
    await symlink('loop2', path.join(loop, 'loop1'));
    await symlink('loop1', path.join(loop, 'loop2'));
    const refused = await build(loop);
    expect(refused.code).toBe(1);
    expect(refused.error).toBe(
      'error: COPY source "loop1" is a symlink that leads outside the build context',
    );
  });

  it('a FIFO is left out of a directory copy and refused as a source, without blocking', async () => {
    const context = await newContext('FROM busybox:local\nCOPY . /ctx\nRUN ls -A /ctx\n');
    execFileSync('mkfifo', [path.join(context, 'fifo')]);
    await writeFile(path.join(context, 'file'), 'data\n');
    const r = await build(context);
    expect(r.code, r.stderr).toBe(0);
    expect(r.output).toEqual(['Dockerfile', 'file']);
    await writeFile(path.join(context, 'Dockerfile'), 'FROM busybox:local\nCOPY fifo /f\n');
    const refused = await build(context);
    expect(refused.code).toBe(1);
    expect(refused.error).toBe('error: COPY source "fifo" is a socket, FIFO or device');
  });

  it('file names with newlines are copied byte for byte', async () => {
    const context = await newContext(
      'FROM busybox:local\nCOPY . /ctx\nRUN test -f "/ctx/new$(printf \'\\nline\')" && echo found\n',
    );
    await writeFile(path.join(context, 'new\nline'), 'x');
    const r = await build(context);
    expect(r.code, r.stderr).toBe(0);
    expect(r.output).toEqual(['found']);
  });

  it('file names that are not UTF-8 are refused by name, or skipped when .dockerignore excludes them', async () => {
    const context = await newContext('FROM busybox:local\nCOPY . /ctx\nRUN ls /ctx\n');
    const bad = Buffer.concat([
      Buffer.from(path.join(context, 'bad')),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('.txt'),
    ]);
    await writeFile(bad, 'x');
    const r = await build(context);
    expect(r.code).toBe(1);
    expect(r.error).toMatch(/bad\\xff\\xfe\.txt.*not valid UTF-8/);
    await writeFile(path.join(context, '.dockerignore'), 'bad*\n');
    const ignored = await build(context);
    expect(ignored.code, ignored.stderr).toBe(0);
    expect(ignored.output).toEqual(['Dockerfile']);
  });

  it('a RUN that makes a file whose name is not UTF-8 fails clearly instead of crashing', async () => {
    const context = await newContext('FROM busybox:local\nRUN touch "/x$(printf \'\\377\')y"\n');
    const r = await build(context);
    expect(r.code).toBe(1);
    expect(r.error).toMatch(/x\\xffy.*not valid UTF-8/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('a .dockerignore that excludes the Dockerfile still builds with it, and copies neither', async () => {
    const context = await newContext('FROM busybox:local\nCOPY . /ctx\nRUN ls -A /ctx\n');
    await writeFile(path.join(context, '.dockerignore'), 'Dockerfile\n.dockerignore\n');
    await writeFile(path.join(context, 'keep'), 'k');
    const r = await build(context);
    expect(r.code, r.stderr).toBe(0);
    expect(r.output).toEqual(['keep']);
  });
});
