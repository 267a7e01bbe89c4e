/** Runs the real CLI and SIGKILLs it at a chosen instant, as a crash or the OOM killer would. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO } from '../../support/cli.ts';

const BIN = path.join(REPO, 'bin', 'tsbuild.js');

export interface KillOutcome {
  /** False when the command finished before the instant came. */
  readonly killed: boolean;
  readonly code: number | null;
  readonly stderr: string;
  /** How long the command ran, in ms. */
  readonly ranMs: number;
}

/** Runs `tsbuild --root ROOT ARGS…`; kills the node process (only it, like a crash of tsbuild) after `afterMs`. */
export function runKilledAt(
  args: readonly string[],
  options: { readonly root: string; readonly afterMs: number; readonly cwd?: string },
): Promise<KillOutcome> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, '--root', options.root, ...args], {
      cwd: options.cwd,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.kill('SIGKILL');
    }, options.afterMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ killed: killed && code === null, code, stderr, ranMs: performance.now() - started });
    });
  });
}
