/** What a leak test inspects on the host: mounts, the runtime's containers, processes. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';

export function mountsUnder(path: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.includes(path));
}

export function runtimeContainers(stateRoot: string): string[] {
  const output = execFileSync('runc', ['--root', stateRoot, 'list', '-q'], { encoding: 'utf8' });
  return output.split('\n').filter((line) => line !== '');
}

/** PIDs whose command line contains `marker`. */
export function processesMatching(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(marker)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Polls until `check` returns true, for at most `attempts` × 100 ms; returns the last result. */
export async function eventually(check: () => boolean, attempts = 100): Promise<boolean> {
  for (let i = 0; i < attempts; i += 1) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

/** Asserts that nothing of a store's containers is left: processes (by marker), runtime state, mounts, bundles. */
export async function expectNoLeftovers(root: string, marker: string): Promise<void> {
  expect(await eventually(() => processesMatching(marker).length === 0)).toBe(true);
  expect(runtimeContainers(join(root, 'run', 'runc'))).toEqual([]);
  expect(mountsUnder(root)).toEqual([]);
  const bundles = await readdir(join(root, 'run')).catch(() => []);
  expect(bundles.filter((name) => name !== 'runc')).toEqual([]);
}
