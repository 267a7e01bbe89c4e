/**
 * ADD: local archives unpacked (every compression, hostile entries refused, --unpack=false),
 * URLs downloaded from a loopback HTTP server (content-digest key, ETag / Last-Modified
 * revalidation without a second download, --checksum, file name, mode 0600, mtime).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdir, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateResult } from '../../src/ops/types.ts';
import {
  copyStep,
  hostPathIn,
  inputsFor,
  isRoot,
  readIn,
  runCopy,
  stateFrom,
  useOpsStore,
} from './support.ts';

async function hostileTar(
  entries: readonly { name: string; type?: 'symlink' | 'link'; target?: string; body?: string }[],
) {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === undefined) pack.entry({ name: e.name, mode: 0o644 }, e.body ?? 'x');
    else pack.entry({ name: e.name, type: e.type, linkname: e.target ?? '' });
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe.skipIf(!isRoot)('ADD archives (needs root: owners from the archive)', () => {
  const fx = useOpsStore();
  let context: string;
  let base: StateResult;

  beforeAll(async () => {
    context = await fx.tempDir();
    const src = join(context, 'payload');
    await mkdir(join(src, 'bin'), { recursive: true });
    await writeFile(join(src, 'bin', 'tool'), '#!/bin/sh\necho tool\n', { mode: 0o755 });
    await writeFile(join(src, 'README'), 'readme');
    execFileSync('tar', ['-cf', join(context, 'app.tar'), '--owner=42', '--group=43', '-C', src, '.']);
    for (const [tool, ext] of [
      ['gzip', 'gz'],
      ['bzip2', 'bz2'],
      ['xz', 'xz'],
      ['zstd', 'zst'],
    ] as const) {
      execFileSync('sh', ['-c', `${tool} -c < app.tar > app.tar.${ext}`], { cwd: context });
    }
    execFileSync('sh', ['-c', 'gzip -c < payload/README > notes.gz'], { cwd: context });
    await writeFile(join(context, 'escape.tar'), await hostileTar([{ name: '../../outside.txt' }]));
    await writeFile(
      join(context, 'through-link.tar'),
      await hostileTar([
        { name: 'jump', type: 'symlink', target: '/' },
        { name: 'jump/etc/owned', body: 'pwned' },
      ]),
    );
    await writeFile(
      join(context, 'links.tar'),
      await hostileTar([
        { name: 'lib', type: 'symlink', target: 'lib64' },
        { name: 'lib64/libc.so', body: 'libc' },
        { name: 'lib/extra.so', body: 'extra' },
        { name: 'hard', type: 'link', target: 'lib64/libc.so' },
      ]),
    );
    await writeFile(
      join(context, 'bad-hardlink.tar'),
      await hostileTar([{ name: 'h', type: 'link', target: '../../etc/passwd' }]),
    );
    base = await stateFrom(fx.services, async (up) => {
      await mkdir(join(up, 'srv'));
    });
  });

  const add = (fields: Parameters<typeof copyStep>[0]) =>
    runCopy(fx.services, copyStep({ add: true, ...fields }), inputsFor(context), [base]);

  for (const name of ['app.tar', 'app.tar.gz', 'app.tar.bz2', 'app.tar.xz', 'app.tar.zst']) {
    it(`unpacks ${name} into the destination, keeping owners and modes`, async () => {
      const { state } = await add({ sources: [name], dest: '/srv/app' });
      expect(await readIn(fx.services, state, '/srv/app/README')).toBe('readme');
      const tool = await lstat((await hostPathIn(fx.services, state, '/srv/app/bin/tool'))!);
      expect(tool.mode & 0o7777).toBe(0o755);
      expect([tool.uid, tool.gid]).toEqual([42, 43]);
      expect(await hostPathIn(fx.services, state, `/srv/app/${name}`)).toBeUndefined();
    });
  }

  it('--chown overrides the archive’s owners; --unpack=false copies the archive; a lone .gz is a file', async () => {
    const owned = await add({ sources: ['app.tar.gz'], dest: '/o/', chown: '5:6' });
    const st = await lstat((await hostPathIn(fx.services, owned.state, '/o/README'))!);
    expect([st.uid, st.gid]).toEqual([5, 6]);
    const kept = await add({ sources: ['app.tar.gz'], dest: '/k/', unpack: false });
    expect((await lstat((await hostPathIn(fx.services, kept.state, '/k/app.tar.gz'))!)).isFile()).toBe(true);
    const lone = await add({ sources: ['notes.gz'], dest: '/n/' });
    expect((await lstat((await hostPathIn(fx.services, lone.state, '/n/notes.gz'))!)).isFile()).toBe(true);
  });

  it('follows symlinks the archive made inside the destination, and hardlinks to its own entries', async () => {
    const { state } = await add({ sources: ['links.tar'], dest: '/srv/' });
    expect(await readIn(fx.services, state, '/srv/lib64/extra.so')).toBe('extra');
    const hard = await lstat((await hostPathIn(fx.services, state, '/srv/hard'))!);
    const libc = await lstat((await hostPathIn(fx.services, state, '/srv/lib64/libc.so'))!);
    expect(hard.ino).toBe(libc.ino);
  });

  it('refuses entries that leave the destination by name, by symlink or by hardlink', async () => {
    await expect(add({ sources: ['escape.tar'], dest: '/srv/' })).rejects.toThrow(
      /points outside the destination/,
    );
    await expect(add({ sources: ['through-link.tar'], dest: '/srv/' })).rejects.toThrow(
      /outside the destination/,
    );
    await expect(add({ sources: ['bad-hardlink.tar'], dest: '/srv/' })).rejects.toThrow(
      /outside the destination/,
    );
    await expect(stat('/etc/owned')).rejects.toThrow();
    await expect(stat(join(context, '..', 'outside.txt'))).rejects.toThrow();
  });
});

interface Origin {
  readonly url: string;
  readonly requests: { path: string; conditional: boolean; status: number }[];
  body: string;
  etag: string | undefined;
  close(): Promise<void>;
}

async function startOrigin(): Promise<Origin> {
  const origin = {
    url: '',
    requests: [] as Origin['requests'],
    body: 'release 1\n',
    etag: '"v1"' as string | undefined,
  };
  const server: Server = createServer((req, res) => {
    const conditional =
      req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined;
    const path = req.url ?? '/';
    const reply = (status: number, headers: Record<string, string>, body?: string) => {
      origin.requests.push({ path, conditional, status });
      res.writeHead(status, headers).end(body);
    };
    if (path === '/missing') return reply(404, {});
    const headers: Record<string, string> = { 'last-modified': 'Tue, 01 Jan 2019 00:00:00 GMT' };
    if (origin.etag !== undefined) headers.etag = origin.etag;
    if (path === '/download') headers['content-disposition'] = 'attachment; filename="named.bin"';
    if (origin.etag !== undefined && req.headers['if-none-match'] === origin.etag) return reply(304, headers);
    reply(200, headers, origin.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...origin,
    get body() {
      return origin.body;
    },
    set body(v: string) {
      origin.body = v;
    },
    get etag() {
      return origin.etag;
    },
    set etag(v: string | undefined) {
      origin.etag = v;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(!isRoot)('ADD <url> from a loopback server (needs root: snapshots)', () => {
  const fx = useOpsStore();
  let origin: Origin;
  let base: StateResult;
  beforeAll(async () => {
    origin = await startOrigin();
    base = await stateFrom(fx.services, async (up) => {
      await mkdir(join(up, 'tmp'));
    });
  });
  afterAll(async () => {
    await origin?.close();
  });

  const add = async (fields: Partial<Parameters<typeof copyStep>[0]> & { sources: string[] }) =>
    runCopy(fx.services, copyStep({ add: true, dest: '/dl/', ...fields }), inputsFor(await fx.tempDir()), [
      base,
    ]);

  it('downloads, names the file after the URL, mode 0600, mtime from Last-Modified', async () => {
    const { state } = await add({ sources: [`${origin.url}/files/tool-1.0.txt`] });
    const host = (await hostPathIn(fx.services, state, '/dl/tool-1.0.txt'))!;
    expect(await readIn(fx.services, state, '/dl/tool-1.0.txt')).toBe('release 1\n');
    const st = await lstat(host);
    expect(st.mode & 0o7777).toBe(0o600);
    expect(st.mtime.toISOString()).toBe('2019-01-01T00:00:00.000Z');
    const named = await add({ sources: [`${origin.url}/download`] });
    expect(await readIn(fx.services, named.state, '/dl/named.bin')).toBe('release 1\n');
    const renamed = await add({
      sources: [`${origin.url}/files/tool-1.0.txt`],
      dest: '/opt/tool',
      chmod: '755',
    });
    expect((await lstat((await hostPathIn(fx.services, renamed.state, '/opt/tool'))!)).mode & 0o7777).toBe(
      0o755,
    );
  });

  it('keys on the content: an unchanged URL revalidates (304) and keeps its key, a new body changes it', async () => {
    const url = `${origin.url}/files/revalidated.txt`;
    const first = await add({ sources: [url] });
    const before = origin.requests.filter((r) => r.path === '/files/revalidated.txt').length;
    const second = await add({ sources: [url] });
    const requests = origin.requests.filter((r) => r.path === '/files/revalidated.txt');
    expect(requests.length).toBe(before + 1);
    expect(requests.at(-1)).toEqual({ path: '/files/revalidated.txt', conditional: true, status: 304 });
    expect(second.key).toBe(first.key);

    origin.body = 'release 2\n';
    origin.etag = '"v2"';
    const third = await add({ sources: [url] });
    expect(third.key).not.toBe(first.key);
    expect(await readIn(fx.services, third.state, '/dl/revalidated.txt')).toBe('release 2\n');
    origin.body = 'release 1\n';
    origin.etag = '"v1"';
  });

  it('verifies --checksum and names a failed download', async () => {
    const sha = createHash('sha256').update('release 1\n').digest('hex');
    const ok = await add({ sources: [`${origin.url}/files/sum.txt`], checksum: `sha256:${sha}` });
    expect(await readIn(fx.services, ok.state, '/dl/sum.txt')).toBe('release 1\n');
    await expect(
      add({ sources: [`${origin.url}/files/sum.txt`], checksum: `sha256:${'0'.repeat(64)}` }),
    ).rejects.toThrow(/expected sha256:0000/);
    await expect(add({ sources: [`${origin.url}/missing`] })).rejects.toThrow(/HTTP 404/);
  });
});
