import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { CONTAINER_SKIP_REASON, canRunContainers } from './support/busybox.ts';
import { useTestStore } from './support/fixture.ts';
import { runShell, type ShellOptions } from './support/run.ts';

describe.skipIf(!canRunContainers)(`runc executor: Docker RUN semantics (${CONTAINER_SKIP_REASON})`, () => {
  const fixture = useTestStore();

  async function outputOf(script: string, options: ShellOptions = {}): Promise<string> {
    const run = await runShell(fixture.store, fixture.executor, script, options);
    await run.abort();
    return run.output;
  }

  it.each([
    [undefined, '0 0 0'],
    ['app', '1000 1000 50 1000 2000'],
    ['1000', '1000 1000 50 1000 2000'],
    ['app:extra', '1000 2000 2000'],
    ['4321:8765', '4321 8765 8765'],
  ])('runs as USER %j (uid, gid, groups)', async (user, expected) => {
    const output = await outputOf(
      'echo $(id -u) $(id -g) $(id -G | tr " " "\\n" | sort -n)',
      user === undefined ? {} : { user },
    );
    expect(output.trim()).toBe(expected);
  });

  it('fails before starting a container for an unknown user', async () => {
    const failure = await outputOf('id', { user: 'ghost' }).catch((error: unknown) => error);
    expect(isTsbuildError(failure, 'EXECUTOR')).toBe(true);
    expect((failure as Error).message).toContain('unable to find user ghost');
  });

  it('passes env and adds the default PATH only when env has none', async () => {
    expect(await outputOf('echo "$PATH|$GREETING"', { env: ['GREETING=hi there'] })).toBe(
      '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|hi there\n',
    );
    expect(await outputOf('echo "$PATH"', { env: ['PATH=/bin:/custom'] })).toBe('/bin:/custom\n');
  });

  it('creates a missing WORKDIR owned by the USER, and keeps it in the layer', async () => {
    const run = await runShell(
      fixture.store,
      fixture.executor,
      'pwd; touch mine; stat -c "%u:%g %a" . mine',
      {
        cwd: '/home/app/project/src',
        user: 'app',
      },
    );
    expect(run.output).toBe('/home/app/project/src\n1000:1000 755\n1000:1000 644\n');
    const created = await lstat(join(run.upperDir, 'home/app/project/src'));
    expect([created.uid, created.gid, created.mode & 0o7777]).toEqual([1000, 1000, 0o755]);
    // The existing parent keeps its own owner through the copy-up.
    expect((await lstat(join(run.upperDir, 'home/app'))).uid).toBe(1000);
    await run.abort();
  });

  it('sets the hostname and generates /etc/hosts, /etc/hostname outside the layer', async () => {
    const run = await runShell(
      fixture.store,
      fixture.executor,
      'hostname; cat /etc/hostname; grep builder /etc/hosts',
      {
        hostname: 'builder',
      },
    );
    expect(run.output).toBe('builder\nbuilder\n127.0.0.1\tlocalhost builder\n');
    expect(await readdir(run.upperDir)).toEqual([]);
    await run.abort();
  });

  it("copies the host's resolv.conf with the host network and none without", async () => {
    const host = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
    expect(await outputOf('cat /etc/resolv.conf')).toBe(host);
    expect(await outputOf('cat /etc/resolv.conf', { network: 'none' })).toBe('');
  });

  it('network none: only lo exists, and it is up', async () => {
    const output = await outputOf(
      'ls /sys/class/net; ip -o link show lo; ping -c 1 -W 2 127.0.0.1 >/dev/null && echo ping-ok',
      {
        network: 'none',
      },
    );
    const [interfaces, ...rest] = output.split('\n');
    expect(interfaces).toBe('lo');
    expect(rest.join('\n')).toMatch(/lo: <LOOPBACK,UP,LOWER_UP>/);
    expect(output).toContain('ping-ok');
  });

  it('network host: sees the host interfaces', async () => {
    const hostInterfaces = (await readdir('/sys/class/net')).sort();
    const output = await outputOf('ls /sys/class/net');
    expect(output.trim().split(/\s+/).sort()).toEqual(hostInterfaces);
  });

  it('applies memory, cpu and pids limits through cgroups', async () => {
    const output = await outputOf(
      [
        'cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
        'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us',
        'cat /sys/fs/cgroup/pids/pids.max',
      ].join('; '),
      { limits: { memoryBytes: 64 * 1024 * 1024, cpus: 0.5, pids: 64 } },
    );
    expect(output.split('\n').slice(0, 4)).toEqual(['67108864', '50000', '100000', '64']);
  });

  it('OOM-kills a step that exceeds its memory limit (exit 137)', async () => {
    const failure = await outputOf('dd if=/dev/zero of=/dev/null bs=256M count=1', {
      limits: { memoryBytes: 32 * 1024 * 1024 },
    }).catch((error: unknown) => error);
    expect(isTsbuildError(failure, 'RUN_FAILED')).toBe(true);
    expect((failure as Error).message).toContain('exit code: 137');
  });

  it('stops forks at the pids limit', async () => {
    const output = await outputOf('i=0; while [ $i -lt 40 ]; do sleep 5 & i=$((i+1)); done; echo spawned', {
      limits: { pids: 10 },
    }).catch((error: unknown) => (error as Error).message);
    expect(output).toMatch(/fork|Resource temporarily unavailable|can't fork/i);
  });
});
