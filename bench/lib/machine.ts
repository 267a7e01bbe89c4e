/** A description of the machine a benchmark ran on, for the results and docs/benchmarks.md. */
import { statfs } from 'node:fs/promises';
import { availableParallelism, cpus, hostname, release, totalmem } from 'node:os';
import { firstLine, run } from './shell.ts';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly os: string;
  /** Filesystem and device of the work directory (where stores and contexts live). */
  readonly disk: string;
  readonly tools: Readonly<Record<string, string>>;
}

async function osName(): Promise<string> {
  try {
    const { stdout } = await run('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"']);
    return stdout.trim();
  } catch {
    return 'unknown';
  }
}

async function disk(dir: string): Promise<string> {
  const { stdout } = await run('df', ['--output=source,fstype,size', '-h', dir]).catch(() => ({
    stdout: '',
  }));
  const [source, fstype, size] = (stdout.trim().split('\n')[1] ?? '').trim().split(/\s+/);
  const device = source?.replace(/^\/dev\//, '') ?? '';
  const rotational = await firstLine('cat', [`/sys/block/${device.replace(/\d+$/, '')}/queue/rotational`]);
  const free = await statfs(dir)
    .then((s) => `${((s.bavail * s.bsize) / 2 ** 30).toFixed(0)} GiB free`)
    .catch(() => '');
  return `${fstype ?? '?'} on ${source ?? '?'} (rotational=${rotational ?? '?'}, ${size ?? '?'}, ${free})`;
}

export async function describeMachine(work: string): Promise<MachineInfo> {
  const tools: Record<string, string> = {};
  for (const [name, file, args] of [
    ['hyperfine', 'hyperfine', ['--version']],
    ['runc', 'runc', ['--version']],
    ['gzip', 'gzip', ['--version']],
    ['zstd', 'zstd', ['--version']],
  ] as const) {
    const v = await firstLine(file, args);
    if (v !== undefined) tools[name] = v;
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    os: await osName(),
    disk: await disk(work),
    tools,
  };
}

export function shortHost(): string {
  return hostname().split('.')[0] ?? 'host';
}
