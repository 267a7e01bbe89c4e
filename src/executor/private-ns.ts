/**
 * Everything that mounts runs as a shell script inside a private mount namespace (`unshare -m`,
 * propagation private): the mounts exist only there and vanish with its last process, so no crash
 * of tsbuild can leave a mount behind in the host namespace.
 */
import { spawn } from 'node:child_process';
import { TsbuildError } from '../errors.ts';

export interface NamespaceCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** Quotes a value for POSIX sh, so paths and options pass through a generated script intact. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export function privateNamespaceCommand(script: string): NamespaceCommand {
  return {
    command: 'unshare',
    args: ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', `set -eu\n${script}`, 'tsbuild-ns'],
  };
}

export interface ScriptResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runInPrivateNamespace(script: string): Promise<ScriptResult> {
  const { command, args } = privateNamespaceCommand(script);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) =>
      reject(
        new TsbuildError('EXECUTOR', `Cannot start ${command}: ${error.message}`, {
          cause: error,
          hint: 'Install util-linux (apt-get install util-linux).',
        }),
      ),
    );
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal === null ? 1 : 128),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
    );
  });
}
