/**
 * A private Docker daemon (Debian's docker.io) for interop tests: its own
 * data root, exec root and socket in a temp dir, no bridge or iptables
 * changes, stopped by PID and cleaned up (including the netns mount dockerd
 * leaves behind).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's client: a newer `docker` earlier on PATH may lack what the tests use. */
export const DOCKER_CLIENT = '/usr/bin/docker';
const DOCKERD = '/usr/sbin/dockerd';

export function dockerAvailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to run dockerd';
  if (!existsSync(DOCKERD) || !existsSync(DOCKER_CLIENT))
    return 'needs Debian package docker.io (apt-get install docker.io)';
  return undefined;
}

export interface Dockerd {
  readonly host: string;
  docker(args: readonly string[], options?: { input?: string }): Promise<{ stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

async function waitForSocket(host: string, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`dockerd exited with ${proc.exitCode}:\n${log()}`);
    try {
      await run(DOCKER_CLIENT, ['-H', host, 'version', '--format', '{{.Server.Version}}']);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`dockerd did not answer on ${host} within 60 s:\n${log()}`);
}

async function unmountUnder(dir: string): Promise<void> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const points = info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p?.startsWith(dir) === true)
    .sort((a, b) => b.length - a.length);
  for (const p of points) await run('umount', ['-l', p]).catch(() => undefined);
}

export async function startDockerd(): Promise<Dockerd> {
  const dir = await mkdtemp(join(tmpdir(), 'tsb-dockerd-'));
  const host = `unix://${dir}/docker.sock`;
  let output = '';
  const proc = spawn(
    DOCKERD,
    [
      '--data-root',
      join(dir, 'data'),
      '--exec-root',
      join(dir, 'exec'),
      '--pidfile',
      join(dir, 'dockerd.pid'),
      '-H',
      host,
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--containerd-namespace',
      'tsbuild-test',
      '--containerd-plugins-namespace',
      'tsbuild-test-plugins',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const stop = async () => {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForSocket(host, proc, () => output);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    host,
    docker: async (args, options) => {
      const child = run(DOCKER_CLIENT, ['-H', host, ...args], { maxBuffer: 64 * 1024 * 1024 });
      if (options?.input !== undefined) {
        child.child.stdin?.end(options.input);
      }
      return child;
    },
    stop,
  };
}
