/** Where the executor keeps its runtime state inside a store (see docs/architecture.md). */
import { join } from 'node:path';

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
