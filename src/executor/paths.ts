/** Where the executor keeps its runtime state inside a store (see docs/architecture.md). */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { currentOwner } from './owner.ts';

/** Container bundles, one dir per container. */
export function runDir(root: string): string {
  return join(root, 'run');
}

/** The runtime's `--root`: only our own containers live here, so sweep never touches anyone else's. */
export function runtimeStateDir(root: string): string {
  return join(root, 'run', 'runc');
}

export function cacheMountsDir(root: string): string {
  return join(root, 'cache', 'mounts');
}

export function scratchDir(root: string): string {
  return join(root, 'tmp');
}

/** Scratch names in `<root>/tmp` that carry their owner: `<pid>-<start time>-<hint>-<random>`. */
export const OWNED_SCRATCH = /^(\d+)-(\d+)-/;

/** A fresh scratch path under `<root>/tmp` named after this process, so sweep can remove it once the process is gone. */
export function ownedScratchPath(root: string, hint: string): string {
  const { pid, startTime } = currentOwner();
  return join(scratchDir(root), `${pid}-${startTime}-${hint}-${randomBytes(4).toString('hex')}`);
}
