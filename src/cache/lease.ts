import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from './atomic.ts';
import { cacheLayout } from './layout.ts';

/**
 * What one running build holds: the cache keys it loaded or made. GC never removes a held record
 * (nor its snapshot and blobs). A lease is a file named after its process, so a lease of a build
 * that crashed is recognised (dead pid) and dropped by the next GC.
 */
export interface Lease {
  hold(key: string): Promise<void>;
  release(): Promise<void>;
}

interface LeaseFile {
  readonly pid: number;
  readonly keys: readonly string[];
}

function leaseDir(root: string): string {
  return path.join(path.dirname(cacheLayout(root).records), 'leases');
}

export function createLease(root: string): Lease {
  const file = path.join(leaseDir(root), `${process.pid}-${randomBytes(6).toString('hex')}.json`);
  const keys = new Set<string>();
  let writing: Promise<void> = Promise.resolve();
  let released = false;
  return {
    hold(key) {
      if (released || keys.has(key)) return writing;
      keys.add(key);
      const body: LeaseFile = { pid: process.pid, keys: [...keys] };
      writing = writing.then(() => (released ? undefined : writeJsonAtomic(file, body)));
      return writing;
    },
    async release() {
      released = true;
      await writing.catch(() => undefined);
      await rm(file, { force: true });
    },
  };
}

/** Whether a process with this pid exists (EPERM: it does, but is not ours to signal). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes what builds that are gone left here: leases and half-written lease files (`<pid>-…`). */
export async function sweepLeases(root: string): Promise<void> {
  const dir = leaseDir(root);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!alive(Number(name.split('-', 1)[0]))) await rm(path.join(dir, name), { force: true });
  }
}

/** Keys held by live builds; leases of dead processes are removed on the way. */
export async function heldKeys(root: string): Promise<Set<string>> {
  const dir = leaseDir(root);
  const held = new Set<string>();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(dir, name);
    let lease: LeaseFile;
    try {
      lease = JSON.parse(await readFile(file, 'utf8')) as LeaseFile;
    } catch {
      continue;
    }
    if (!alive(lease.pid)) {
      await rm(file, { force: true });
      continue;
    }
    for (const key of lease.keys) held.add(key);
  }
  return held;
}
