import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_SKIP_REASON, canRunContainers } from './support/busybox.ts';
import { useTestStore } from './support/fixture.ts';
import { runShell, type ShellOptions } from './support/run.ts';

/** CapEff of Docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP. */
const DOCKER_DEFAULT_CAPS = '00000000a80425fb';

describe.skipIf(!canRunContainers)(`runc executor: isolation (${CONTAINER_SKIP_REASON})`, () => {
  const fixture = useTestStore();
  let hostDir: string;
  let suidLayer: string;

  beforeAll(async () => {
    hostDir = await mkdtemp(join(tmpdir(), 'tsbuild-host-secret-'));
    await writeFile(join(hostDir, 'host-only.txt'), 'host data');
    const layer = await runShell(
      fixture.store,
      fixture.executor,
      'cp /bin/busybox /bin/busybox-suid && chmod 4755 /bin/busybox-suid && echo root:HASH > /etc/shadow && chmod 600 /etc/shadow',
    );
    suidLayer = await layer.commit();
  });
  afterAll(async () => {
    await rm(hostDir, { recursive: true, force: true });
  });

  async function outputOf(script: string, options: ShellOptions = {}): Promise<string> {
    const run = await runShell(fixture.store, fixture.executor, `${script} 2>&1; true`, options);
    await run.abort();
    return run.output;
  }

  it('sees only its own processes', async () => {
    const output = await outputOf('sleep 5 & ps -o pid,args; kill %1');
    const rows = output.trim().split('\n').slice(1);
    // sh (pid 1), its sleep, and ps itself: nothing of the host.
    expect(rows).toHaveLength(3);
    expect(rows.map((row) => Number(row.trim().split(/\s+/)[0])).every((pid) => pid < 10)).toBe(true);
    expect(output).toContain('sleep 5');
  });

  it('cannot see host files outside its rootfs', async () => {
    const output = await outputOf(
      `[ -e ${hostDir} ] && echo VISIBLE; ls /tmp; cat /proc/1/root${hostDir}/host-only.txt; find / -xdev -name host-only.txt`,
    );
    expect(output).not.toContain('VISIBLE');
    expect(output).not.toContain('host data');
    expect(output.split('\n')).not.toContain(basename(hostDir));
    expect(output).not.toMatch(/^\/.*host-only\.txt$/m);
  });

  it('cannot mount, even a tmpfs', async () => {
    const output = await outputOf(
      'mount -t tmpfs tmpfs /mnt || echo BLOCKED-1; mount -o remount,rw /sys || echo BLOCKED-2',
    );
    expect(output).toContain('BLOCKED-1');
    expect(output).toContain('BLOCKED-2');
  });

  it("holds exactly Docker's default capabilities: no SYS_ADMIN, no SYS_MODULE", async () => {
    const output = await outputOf('grep -E "^Cap(Eff|Bnd)" /proc/self/status');
    expect(output).toBe(`CapEff:\t${DOCKER_DEFAULT_CAPS}\nCapBnd:\t${DOCKER_DEFAULT_CAPS}\n`);
  });

  it('cannot load kernel modules', async () => {
    // Without CAP_SYS_MODULE (see the capability test) init_module fails with EPERM; on kernels
    // built without module support it fails earlier with ENOSYS. Either way nothing loads.
    const output = await outputOf(
      'head -c 4096 /dev/urandom > /tmp/junk.ko; insmod /tmp/junk.ko; echo rc=$?',
    );
    expect(output).toMatch(/Operation not permitted|kernel does not support/);
    expect(output).not.toContain('rc=0');
  });

  it("cannot change the host's hostname", async () => {
    const before = hostname();
    const output = await outputOf('hostname evil-host; hostname');
    expect(output).toContain('tsbuild');
    expect(hostname()).toBe(before);
  });

  it('gains nothing from a setuid-root binary (no new privileges)', async () => {
    // busybox runs as the multi-call binary when its name starts with "busybox".
    const output = await outputOf(
      '/bin/busybox-suid id -u; /bin/busybox-suid grep CapEff /proc/self/status; /bin/busybox-suid cat /etc/shadow',
      { user: 'app', parent: suidLayer },
    );
    expect(output.split('\n')[0]).toBe('1000');
    expect(output).toContain('CapEff:\t0000000000000000');
    expect(output).not.toContain('root:HASH');
    expect(output).toContain('Permission denied');
  });

  it('masks /proc/keys and /proc/timer_list and keeps /proc/sys read-only, as Docker does', async () => {
    const output = await outputOf(
      'cat /proc/keys /proc/timer_list | wc -c; echo 1 > /proc/sys/kernel/sysrq || echo RO',
    );
    expect(output.split('\n')[0]).toBe('0');
    expect(output).toContain('RO');
  });

  it('cannot read a block device even after creating its node', async () => {
    const output = await outputOf(
      'mknod /tmp/disk b 254 0 && head -c 1 /tmp/disk > /dev/null && echo read-ok',
    );
    expect(output).not.toContain('read-ok');
  });
});
