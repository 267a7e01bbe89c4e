import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

export interface UsageLine {
  readonly count: number;
  readonly bytes: number;
}

/**
 * Disk space under a path as `du` counts it: allocated blocks, each hard-linked inode once
 * (`seen` is shared across calls so one inode is never counted in two places).
 */
export async function diskUsage(target: string, seen = new Set<string>()): Promise<number> {
  const st = await lstat(target).catch(() => undefined);
  if (st === undefined) return 0;
  const id = `${st.dev}:${st.ino}`;
  let bytes = seen.has(id) ? 0 : st.blocks * 512;
  seen.add(id);
  if (st.isDirectory()) {
    const names = await readdir(target).catch(() => [] as string[]);
    const sizes = await Promise.all(names.map((name) => diskUsage(path.join(target, name), seen)));
    bytes += sizes.reduce((a, b) => a + b, 0);
  }
  return bytes;
}

/** Entries of a directory and their total usage (e.g. every snapshot under `snapshots/`). */
export async function usageOfEntries(dir: string, seen: Set<string>): Promise<UsageLine> {
  const names = await readdir(dir).catch(() => [] as string[]);
  let bytes = 0;
  for (const name of names) bytes += await diskUsage(path.join(dir, name), seen);
  return { count: names.length, bytes };
}
