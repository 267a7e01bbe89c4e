/**
 * RUN steps that try to get out, through real builds: overwriting the runtime through
 * /proc/self/exe, mounting, new namespaces (unshare), writing kernel settings in /proc/sys and
 * /sys, reaching another build's processes, and eating memory under --memory. Each attempt is
 * refused inside the container and the host is unchanged; the memory hog fails its build with
 * an error that says why.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLeaks } from '../reliability/support/leaks.ts';
import { E2E_REASON, E2E_SKIP, tsbuild } from '../support/cli.ts';
import { useBusyboxStore } from './support/busybox-store.ts';
import { runOutput } from './support/output.ts';

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
const RUNC = ['/usr/sbin/runc', '/usr/bin/runc'];

describe.skipIf(E2E_SKIP)(`escape attempts from RUN (${E2E_REASON})`, () => {
  const store = useBusyboxStore('tsbuild-escape-');
  let n = 0;

  /** Builds a Dockerfile of one RUN per line; returns the RUN output lines (prefix stripped). */
  async function run(lines: readonly string[], extra: readonly string[] = []) {
    const context = path.join(store.dir, `context-${++n}`);
    await mkdir(context);
    await writeFile(
      path.join(context, 'Dockerfile'),
      ['FROM busybox:local', ...lines.map((l) => `RUN ${l}`), ''].join('\n'),
    );
    const result = await tsbuild(['build', '--progress=plain', '--no-cache', ...extra, context], {
      root: store.root,
    });
    const output = runOutput(result.stderr);
    return { ...result, output };
  }

  it('cannot overwrite the runtime or its own binary through /proc/*/exe', async () => {
    const before = await Promise.all(RUNC.map((p) => sha256(p).catch(() => 'absent')));
    const r = await run([
      'for p in /proc/self/exe /proc/1/exe /proc/[0-9]*/exe; do { echo x >> $p; } 2>/dev/null && echo "wrote $p"; done; echo tried',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.output).toEqual(['tried']);
    expect(await Promise.all(RUNC.map((p) => sha256(p).catch(() => 'absent')))).toEqual(before);
  });

  it('cannot mount anything', async () => {
    const r = await run(['mount -t tmpfs none /tmp || echo refused', 'mount -o bind / /tmp || echo refused']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.output.filter((l) => l === 'refused')).toHaveLength(2);
  });

  it('cannot make new namespaces, user namespaces included', async () => {
    const r = await run([
      'unshare -U true 2>&1 || echo refused',
      'unshare -m true 2>&1 || echo refused',
      "unshare -Ur sh -c 'mount -t tmpfs none /tmp && echo mounted' 2>&1 || echo refused",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.output.filter((l) => l === 'refused')).toHaveLength(3);
    expect(r.output).not.toContain('mounted');
    expect(r.output.filter((l) => l.includes('Operation not permitted'))).toHaveLength(3);
  });

  it('cannot change kernel settings through /proc/sys, /sys or sysrq', async () => {
    const files = ['/proc/sys/kernel/panic', '/proc/sys/vm/overcommit_memory'];
    const before = await Promise.all(files.map((f) => readFile(f, 'utf8')));
    const r = await run([
      'echo 17 > /proc/sys/kernel/panic || echo refused',
      'echo 2 > /proc/sys/vm/overcommit_memory || echo refused',
      'echo 1 > /sys/kernel/mm/ksm/run || echo refused',
      'echo c > /proc/sysrq-trigger || echo refused',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.output.filter((l) => l === 'refused')).toHaveLength(4);
    expect(await Promise.all(files.map((f) => readFile(f, 'utf8')))).toEqual(before);
  });

  it("cannot see, signal or trace another build's processes or the host's", async () => {
    const marker = `marker-${process.pid}-${Date.now()}`;
    const sleeper = run([`sleep 4 && echo ${marker}`]);
    // Started once the sleeper's RUN is running (its container is up within the first seconds).
    await new Promise((r) => setTimeout(r, 2000));
    const looker = await run([
      // Split so that this command line does not itself contain the marker.
      `half=${marker.slice(0, 8)}; grep -l "$half${marker.slice(8)}" /proc/[0-9]*/cmdline 2>/dev/null || echo invisible`,
      'ls -d /proc/[0-9]* | wc -l',
      `kill -0 ${process.pid} 2>/dev/null || echo no-such-process`,
    ]);
    expect(looker.code, looker.stderr).toBe(0);
    expect(looker.output[0]).toBe('invisible');
    expect(Number(looker.output[1])).toBeLessThan(10);
    expect(looker.output[2]).toBe('no-such-process');
    expect((await sleeper).output).toContain(marker);
  });

  it('is killed at its --memory limit and the build says so', async () => {
    const r = await run(['dd if=/dev/zero of=/dev/null bs=256M count=1'], ['--memory', '64m']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: .*exit code: 137; killed \(SIGKILL\), most likely by the out-of-memory killer at the --memory limit of 64 MiB/m,
    );
    expect(r.stderr).toMatch(/^hint: raise --memory/m);
    expect(await findLeaks(store.root)).toEqual([]);
  });
});
