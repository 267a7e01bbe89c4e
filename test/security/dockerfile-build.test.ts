/**
 * Hostile Dockerfiles through real builds: sources outside the context, a stage copying from
 * itself, a megabyte RUN, a NUL byte in a RUN, 100,000 instructions. Each fails cleanly (a short
 * error saying what and where, no image) or builds correctly; nothing of the host is copied.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { E2E_REASON, E2E_SKIP, tsbuild } from '../support/cli.ts';
import { useBusyboxStore } from './support/busybox-store.ts';

describe.skipIf(E2E_SKIP)(`hostile Dockerfiles in real builds (${E2E_REASON})`, () => {
  const store = useBusyboxStore('tsbuild-hostile-df-');
  let n = 0;

  async function build(dockerfile: string, files: Readonly<Record<string, string>> = {}) {
    const context = path.join(store.dir, `context-${++n}`);
    await mkdir(context);
    await writeFile(path.join(context, 'Dockerfile'), dockerfile);
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(context, name)), { recursive: true });
      await writeFile(path.join(context, name), content);
    }
    const result = await tsbuild(['build', '--progress=plain', '-t', `hostile:${n}`, context], {
      root: store.root,
    });
    const images = await tsbuild(['images', '--format', 'json'], { root: store.root });
    const tagged = (JSON.parse(images.stdout) as { tag: string }[]).some((i) => i.tag === String(n));
    return { ...result, tagged, error: result.stderr.split('\n').filter((l) => /^(error|hint):/.test(l)) };
  }

  it('COPY ../../etc/passwd is refused as outside the context', async () => {
    const r = await build('FROM busybox:local\nCOPY ../../etc/passwd /x\n');
    expect(r.code).toBe(1);
    expect(r.error[0]).toBe('error: COPY source "../../etc/passwd" points outside the build context');
    expect(r.tagged).toBe(false);
  });

  it('COPY /etc/passwd never reads the host file (an absolute source is refused)', async () => {
    const r = await build('FROM busybox:local\nCOPY /etc/passwd /x\n', { 'etc/passwd': 'context file\n' });
    expect(r.code).toBe(1);
    expect(r.error[0]).toBe('error: COPY source "/etc/passwd" points outside the build context');
    expect(r.tagged).toBe(false);
  });

  it('a stage that copies from itself is a located Dockerfile error', async () => {
    const r = await build('FROM busybox:local AS a\nCOPY --from=a /etc/passwd /x\n');
    expect(r.code).toBe(3);
    expect(r.error[0]).toBe('error: Dockerfile:2:1: stage "a" cannot copy from itself');
  });

  it('a RUN with a 1 MiB argument fails with the kernel’s reason and a short error', async () => {
    const r = await build(`FROM busybox:local\nRUN echo ${'x'.repeat(1 << 20)} > /big\n`);
    expect(r.code).toBe(1);
    expect(r.error[0]).toMatch(/^error: process "\/bin\/sh -c echo x+… \(\d+ characters\)" did not complete/);
    expect(r.stderr).toContain('argument list too long');
    expect(r.error.join('\n').length).toBeLessThan(1000);
  });

  it('a NUL byte in a RUN fails cleanly and is shown escaped', async () => {
    const r = await build('FROM busybox:local\nRUN echo a\0b > /nul\n');
    expect(r.code).toBe(1);
    expect(r.error[0]).toContain('echo a\\x00b > /nul');
    expect(r.stderr).toContain('invalid argument');
  });

  it('100,000 instructions build, and the last value wins', async () => {
    const envs = Array.from({ length: 100_000 }, (_, i) => `ENV V${i % 100}=${i}`);
    const r = await build(`FROM busybox:local\n${envs.join('\n')}\nRUN test "$V99" = 99999\n`);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.tagged).toBe(true);
  });
});
