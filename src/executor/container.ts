/**
 * Starts one container: a setup script in a private mount namespace (rootfs and mount sources),
 * then `exec <runtime> run` in the same process. Streams output, reports the exit code, and on
 * abort kills the container through the runtime (or the process group before it exists).
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { TsbuildError } from '../errors.ts';
import { privateNamespaceCommand, shellQuote } from './private-ns.ts';
import type { Runtime } from './runtime.ts';
import { createRuntimeControl } from './runtime-control.ts';
import type { OciSpec } from './spec/oci.ts';
import type { OutputStream } from './types.ts';

export interface LaunchOptions {
  readonly runtime: Runtime;
  readonly stateRoot: string;
  readonly bundleDir: string;
  readonly containerId: string;
  /** config.json; passed through a pipe onto a private tmpfs, as it can hold secrets in its env. */
  readonly spec: OciSpec;
  /** Shell lines run in the private namespace before the runtime starts. */
  readonly setup: readonly string[];
  /** Data written to fds 4, 5, ... of the setup script (secrets: they never touch the disk). */
  readonly inputs?: readonly Uint8Array[];
  readonly signal?: AbortSignal;
  readonly onOutput?: (stream: OutputStream, chunk: Buffer) => void;
}

export type LaunchResult =
  | { readonly kind: 'exited'; readonly exitCode: number }
  | { readonly kind: 'setup-failed'; readonly message: string }
  | { readonly kind: 'cancelled' };

/** How long a cancelled container may take to die before its whole process group is killed. */
const KILL_GRACE_MS = 10_000;

export function inputFd(index: number): number {
  return 4 + index;
}

function script(options: LaunchOptions, specFd: number, specSize: number): string {
  const specDir = join(options.bundleDir, 'spec');
  const runtimeArgs = [
    options.runtime.path,
    '--root',
    options.stateRoot,
    'run',
    '--bundle',
    specDir,
    options.containerId,
  ];
  return [
    ...options.setup,
    `mount -t tmpfs -o mode=0700,size=${specSize} tmpfs ${shellQuote(specDir)}`,
    `cat <&${specFd} > ${shellQuote(join(specDir, 'config.json'))}`,
    `exec ${specFd}<&-`,
    // fd 3 tells the parent that setup is done: errors before this line are setup errors.
    'echo ready >&3',
    'exec 3>&-',
    `exec ${runtimeArgs.map(shellQuote).join(' ')}`,
  ].join('\n');
}

export async function launchContainer(options: LaunchOptions): Promise<LaunchResult> {
  const spec = Buffer.from(JSON.stringify(options.spec));
  const inputs = [...(options.inputs ?? []), spec];
  await mkdir(join(options.bundleDir, 'spec'));
  const control = createRuntimeControl(options.runtime, options.stateRoot);
  const specSize = Math.max(spec.length * 2, 1024 * 1024);
  const { command, args } = privateNamespaceCommand(script(options, inputFd(inputs.length - 1), specSize));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', ...inputs.map(() => 'pipe' as const)],
      // Own process group: a Ctrl-C at the terminal reaches tsbuild, which then stops the container itself.
      detached: true,
    });
    let ready = false;
    let cancelled = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const setupErrors: Buffer[] = [];

    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const onAbort = (): void => {
      if (cancelled) return;
      cancelled = true;
      graceTimer = setTimeout(killGroup, KILL_GRACE_MS);
      void control.kill(options.containerId, 'KILL').then((killed) => {
        if (!killed) killGroup();
      });
    };

    (child.stdio[3] as Readable).on('data', (chunk: Buffer) => {
      if (ready || !chunk.toString().includes('ready')) return;
      ready = true;
      // The pipes are read in whatever order the event loop sees them: stderr the container wrote
      // just after start may have been read before this signal. Setup went well, so it is output.
      for (const early of setupErrors.splice(0)) options.onOutput?.('stderr', early);
    });
    for (const [index, data] of inputs.entries()) {
      const stream = child.stdio[inputFd(index)] as Writable;
      // The script may fail before reading its inputs; a broken pipe then is expected.
      stream.on('error', () => {});
      stream.end(data);
    }
    child.stdout!.on('data', (chunk: Buffer) => options.onOutput?.('stdout', chunk));
    child.stderr!.on('data', (chunk: Buffer) => {
      if (ready) options.onOutput?.('stderr', chunk);
      else setupErrors.push(chunk);
    });
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        new TsbuildError(
          'EXECUTOR',
          `Cannot start ${command} for container ${options.containerId}: ${error.message}`,
          {
            cause: error,
            hint: 'Install util-linux (apt-get install util-linux); tsbuild runs steps through unshare.',
          },
        ),
      );
    });
    child.on('close', (code, signalName) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (graceTimer !== undefined) clearTimeout(graceTimer);
      // `run` removes the container's state when it exits by itself; after a kill it may not have.
      const cleanup =
        cancelled || signalName !== null ? control.forceDelete(options.containerId) : Promise.resolve(true);
      void cleanup.then(() => {
        if (cancelled) resolve({ kind: 'cancelled' });
        else if (!ready) {
          const message = Buffer.concat(setupErrors).toString().trim();
          resolve({ kind: 'setup-failed', message: message || `setup exited with ${code ?? signalName}` });
        } else resolve({ kind: 'exited', exitCode: code ?? 128 + 9 });
      });
    });
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
