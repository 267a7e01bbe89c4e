/**
 * config.json for one RUN, as a pure function of its inputs: Docker's namespaces, mounts,
 * capabilities, masked paths and limits, so a RUN here behaves as under `docker build`.
 */
import {
  CPU_PERIOD_US,
  DEFAULT_CAPABILITIES,
  DEFAULT_HOSTNAME,
  DEFAULT_PATH,
  MASKED_PATHS,
  NOFILE_LIMIT,
  READONLY_PATHS,
  SHM_SIZE,
} from './defaults.ts';
import type { OciMount, OciResources, OciSpec } from './oci.ts';
import { seccompProfile } from './seccomp.ts';

export type NetworkMode = 'host' | 'none';

export interface ResourceLimits {
  readonly memoryBytes?: number;
  /** CPUs as a fraction, like `docker run --cpus 1.5`. */
  readonly cpus?: number;
  readonly pids?: number;
}

export interface SpecUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: readonly number[];
}

export interface SpecInput {
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  readonly user: SpecUser;
  readonly hostname?: string;
  readonly network: NetworkMode;
  /** Root filesystem path, relative to the bundle or absolute. */
  readonly rootfs: string;
  /** Host files bind-mounted read-only over the container's /etc files (they never enter the layer). */
  readonly etcFiles: { readonly hosts: string; readonly resolvConf: string; readonly hostname: string };
  /** RUN --mount mounts, applied after the defaults. */
  readonly mounts?: readonly OciMount[];
  readonly limits?: ResourceLimits;
  readonly cgroupsPath: string;
  /** RLIMIT_NOFILE (soft = hard); Docker's 1048576 unless the caller must stay below its own hard limit. */
  readonly nofile?: number;
}

export function withDefaultPath(env: readonly string[]): readonly string[] {
  return env.some((entry) => entry.startsWith('PATH=')) ? env : [`PATH=${DEFAULT_PATH}`, ...env];
}

function systemMounts(): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${SHM_SIZE}`],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
    },
  ];
}

function etcMounts(files: SpecInput['etcFiles']): OciMount[] {
  const bind = (destination: string, source: string): OciMount => ({
    destination,
    type: 'bind',
    source,
    options: ['rbind', 'rprivate', 'ro'],
  });
  return [
    bind('/etc/hosts', files.hosts),
    bind('/etc/resolv.conf', files.resolvConf),
    bind('/etc/hostname', files.hostname),
  ];
}

function resources(limits: ResourceLimits | undefined): OciResources {
  const base: OciResources = { devices: [{ allow: false, access: 'rwm' }] };
  if (limits === undefined) return base;
  return {
    ...base,
    // Swap equal to the limit: a RUN that exceeds its memory is OOM-killed instead of swapping.
    ...(limits.memoryBytes !== undefined && {
      memory: { limit: limits.memoryBytes, swap: limits.memoryBytes },
    }),
    ...(limits.cpus !== undefined && {
      cpu: { quota: Math.round(limits.cpus * CPU_PERIOD_US), period: CPU_PERIOD_US },
    }),
    ...(limits.pids !== undefined && { pids: { limit: limits.pids } }),
  };
}

export function generateSpec(input: SpecInput): OciSpec {
  const namespaces = ['pid', 'ipc', 'uts', 'mount', ...(input.network === 'none' ? ['network'] : [])];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: {
        uid: input.user.uid,
        gid: input.user.gid,
        ...(input.user.additionalGids.length > 0 && { additionalGids: input.user.additionalGids }),
      },
      args: input.args,
      env: withDefaultPath(input.env),
      cwd: input.cwd,
      capabilities: {
        bounding: DEFAULT_CAPABILITIES,
        effective: DEFAULT_CAPABILITIES,
        permitted: DEFAULT_CAPABILITIES,
        inheritable: [],
        ambient: [],
      },
      rlimits: [
        { type: 'RLIMIT_NOFILE', hard: input.nofile ?? NOFILE_LIMIT, soft: input.nofile ?? NOFILE_LIMIT },
      ],
      noNewPrivileges: true,
    },
    root: { path: input.rootfs, readonly: false },
    hostname: input.hostname ?? DEFAULT_HOSTNAME,
    mounts: [...systemMounts(), ...etcMounts(input.etcFiles), ...(input.mounts ?? [])],
    linux: {
      namespaces: namespaces.map((type) => ({ type })),
      cgroupsPath: input.cgroupsPath,
      resources: resources(input.limits),
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      seccomp: seccompProfile(),
    },
  };
}
