/** Out-of-band commands to the OCI runtime about one of our containers (kill, delete), under our own state root. */
import { spawn } from 'node:child_process';
import type { Runtime } from './runtime.ts';

export interface RuntimeControl {
  /** True when the runtime accepted the signal (the container exists and runs). */
  kill(containerId: string, signal: string): Promise<boolean>;
  /** Kills (if needed) and removes the container's state; true when it existed. */
  forceDelete(containerId: string): Promise<boolean>;
}

function runQuiet(path: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(path, args, { stdio: 'ignore' });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

export function createRuntimeControl(runtime: Runtime, stateRoot: string): RuntimeControl {
  return {
    async kill(containerId: string, signal: string): Promise<boolean> {
      return (await runQuiet(runtime.path, ['--root', stateRoot, 'kill', containerId, signal])) === 0;
    },
    async forceDelete(containerId: string): Promise<boolean> {
      return (await runQuiet(runtime.path, ['--root', stateRoot, 'delete', '--force', containerId])) === 0;
    },
  };
}
