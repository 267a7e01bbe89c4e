import { describe, expect, it } from 'vitest';
import { generateSpec, type SpecInput } from '../../src/executor/index.ts';
import { DEFAULT_CAPABILITIES, DEFAULT_PATH } from '../../src/executor/spec/defaults.ts';
import { hostnameFile, hostsFile, resolvConfFile } from '../../src/executor/spec/etc-files.ts';

const base: SpecInput = {
  args: ['/bin/sh', '-c', 'echo hi'],
  env: ['FOO=bar'],
  cwd: '/work',
  user: { uid: 1000, gid: 1000, additionalGids: [50, 2000] },
  network: 'host',
  rootfs: '/store/run/c1/rootfs',
  etcFiles: { hosts: '/b/hosts', resolvConf: '/b/resolv.conf', hostname: '/b/hostname' },
  cgroupsPath: '/tsbuild/c1',
};

const destinations = (input: SpecInput) => generateSpec(input).mounts.map((mount) => mount.destination);

describe('generateSpec', () => {
  it('passes the process as given: args, cwd, user with supplementary groups', () => {
    const spec = generateSpec(base);
    expect(spec.process.args).toEqual(['/bin/sh', '-c', 'echo hi']);
    expect(spec.process.cwd).toBe('/work');
    expect(spec.process.user).toEqual({ uid: 1000, gid: 1000, additionalGids: [50, 2000] });
    expect(spec.process.terminal).toBe(false);
    expect(spec.root).toEqual({ path: '/store/run/c1/rootfs', readonly: false });
  });

  it('omits additionalGids when there are none', () => {
    const spec = generateSpec({ ...base, user: { uid: 0, gid: 0, additionalGids: [] } });
    expect(spec.process.user).toEqual({ uid: 0, gid: 0 });
  });

  it('adds the default PATH only when env has none', () => {
    expect(generateSpec(base).process.env).toEqual([`PATH=${DEFAULT_PATH}`, 'FOO=bar']);
    expect(generateSpec({ ...base, env: ['PATH=/x', 'A=1'] }).process.env).toEqual(['PATH=/x', 'A=1']);
  });

  it('uses pid, ipc, uts and mount namespaces, plus network only when the network is none', () => {
    const host = generateSpec(base).linux.namespaces.map((ns) => ns.type);
    expect(host).toEqual(['pid', 'ipc', 'uts', 'mount']);
    const none = generateSpec({ ...base, network: 'none' }).linux.namespaces.map((ns) => ns.type);
    expect(none).toEqual(['pid', 'ipc', 'uts', 'mount', 'network']);
  });

  it('sets the hostname, defaulting to tsbuild', () => {
    expect(generateSpec(base).hostname).toBe('tsbuild');
    expect(generateSpec({ ...base, hostname: 'builder' }).hostname).toBe('builder');
  });

  it('mounts /proc, a minimal /dev, /dev/pts, /dev/shm, /dev/mqueue and a read-only /sys', () => {
    const spec = generateSpec(base);
    const byDestination = new Map(spec.mounts.map((mount) => [mount.destination, mount]));
    expect(byDestination.get('/proc')?.type).toBe('proc');
    expect(byDestination.get('/dev')?.type).toBe('tmpfs');
    expect(byDestination.get('/dev/pts')?.options).toContain('newinstance');
    expect(byDestination.get('/dev/shm')?.options).toContain(`size=${64 * 1024 * 1024}`);
    expect(byDestination.get('/dev/mqueue')?.type).toBe('mqueue');
    expect(byDestination.get('/sys')?.options).toContain('ro');
    expect(spec.linux.resources.devices).toEqual([{ allow: false, access: 'rwm' }]);
  });

  it('bind-mounts the generated /etc files read-only from the bundle', () => {
    const spec = generateSpec(base);
    const etc = spec.mounts.filter((mount) => mount.destination.startsWith('/etc/'));
    expect(etc.map((mount) => [mount.destination, mount.source])).toEqual([
      ['/etc/hosts', '/b/hosts'],
      ['/etc/resolv.conf', '/b/resolv.conf'],
      ['/etc/hostname', '/b/hostname'],
    ]);
    for (const mount of etc) expect(mount.options).toEqual(['rbind', 'rprivate', 'ro']);
  });

  it("grants exactly Docker's 14 default capabilities, none inheritable, and sets noNewPrivileges", () => {
    const { capabilities, noNewPrivileges } = generateSpec(base).process;
    expect(capabilities.bounding).toHaveLength(14);
    expect(capabilities.bounding).not.toContain('CAP_SYS_ADMIN');
    expect(capabilities.bounding).not.toContain('CAP_SYS_MODULE');
    expect(capabilities.bounding).toContain('CAP_NET_BIND_SERVICE');
    expect(capabilities.effective).toEqual(DEFAULT_CAPABILITIES);
    expect(capabilities.permitted).toEqual(DEFAULT_CAPABILITIES);
    expect(capabilities.inheritable).toEqual([]);
    expect(capabilities.ambient).toEqual([]);
    expect(noNewPrivileges).toBe(true);
  });

  it("masks and write-protects Docker's paths", () => {
    const { maskedPaths, readonlyPaths } = generateSpec(base).linux;
    expect(maskedPaths).toEqual(expect.arrayContaining(['/proc/kcore', '/proc/keys', '/sys/firmware']));
    expect(readonlyPaths).toEqual(expect.arrayContaining(['/proc/sys', '/proc/sysrq-trigger', '/proc/bus']));
  });

  it('sets RLIMIT_NOFILE to 1048576 by default and to a given lower value', () => {
    expect(generateSpec(base).process.rlimits).toEqual([
      { type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 },
    ]);
    expect(generateSpec({ ...base, nofile: 20000 }).process.rlimits[0]).toMatchObject({
      hard: 20000,
      soft: 20000,
    });
  });

  it('turns memory, cpu and pids limits into cgroup resources', () => {
    const spec = generateSpec({ ...base, limits: { memoryBytes: 256 * 1024 * 1024, cpus: 1.5, pids: 100 } });
    expect(spec.linux.cgroupsPath).toBe('/tsbuild/c1');
    expect(spec.linux.resources.memory).toEqual({ limit: 268435456, swap: 268435456 });
    expect(spec.linux.resources.cpu).toEqual({ quota: 150000, period: 100000 });
    expect(spec.linux.resources.pids).toEqual({ limit: 100 });
    expect(generateSpec(base).linux.resources.memory).toBeUndefined();
  });

  it('appends RUN --mount mounts after the system mounts', () => {
    const extra = { destination: '/cache', type: 'bind', source: '/host/cache', options: ['rbind'] };
    const all = destinations({ ...base, mounts: [extra] });
    expect(all[all.length - 1]).toBe('/cache');
    expect(all.indexOf('/proc')).toBeLessThan(all.indexOf('/cache'));
  });
});

describe('generated /etc files', () => {
  it('maps localhost and the hostname in /etc/hosts', () => {
    const hosts = hostsFile('builder', [{ name: 'db', address: '10.0.0.2' }]);
    expect(hosts).toContain('127.0.0.1\tlocalhost builder\n');
    expect(hosts).toContain('::1\tlocalhost ip6-localhost ip6-loopback\n');
    expect(hosts).toContain('10.0.0.2\tdb\n');
  });

  it("copies the host's resolv.conf only when networked", () => {
    expect(resolvConfFile('host', 'nameserver 1.2.3.4\n')).toBe('nameserver 1.2.3.4\n');
    expect(resolvConfFile('none', 'nameserver 1.2.3.4\n')).toBe('');
  });

  it('writes the hostname with a newline', () => {
    expect(hostnameFile('builder')).toBe('builder\n');
  });
});
