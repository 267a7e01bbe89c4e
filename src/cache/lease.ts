import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { cacheLayout } from './layout.ts';

/**
 * What one running operation (a build, a pull, a load, a run) holds: the time it started and the
 * cache keys it loaded or made. GC never removes a held record (nor its snapshot and blobs), nor
 * anything made since the oldest live lease began: a build may be about to record a snapshot it
 * just committed, a pull about to tag the blobs it fetched. A lease is a file named after its
 * process, so the lease of an operation that crashed is recognised (dead pid) and dropped.
 */
export interface Lease {
  /** Writes the lease before the operation makes anything (then GC sees when it began). */
  open(): Promise<void>;
  hold(key: string): Promise<void>;
  release(): Promise<void>;
}

interface LeaseFile {
  readonly pid: number;
  /** Wall-clock ms when the operation began; older leases have none and protect only their keys. */
  readonly since?: number;
  readonly keys: readonly string[];
}

/**
 * Atomic (readers see a whole file) but not durable: after a power cut every lease belongs to a
 * dead process and is dropped anyway, so no fsync is spent on it.
 */
async function writeLeaseFile(file: string, body: LeaseFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(body), { fsync: false });
}

function leaseDir(root: string): string {
  return path.join(path.dirname(cacheLayout(root).records), 'leases');
}

export function createLease(root: string): Lease {
  const file = path.join(leaseDir(root), `${process.pid}-${randomBytes(6).toString('hex')}.json`);
  const since = Date.now();
  const keys = new Set<string>();
  let writing: Promise<void> = Promise.resolve();
  let released = false;
  const write = () => {
    const body: LeaseFile = { pid: process.pid, since, keys: [...keys] };
    writing = writing.then(() => (released ? undefined : writeLeaseFile(file, body)));
    return writing;
  };
  return {
    open: write,
    hold(key) {
      if (released || keys.has(key)) return writing;
      keys.add(key);
      return write();
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

/** Runs `work` under a lease of its own (see Lease): what it makes stays until it returns. */
export async function withLease<T>(root: string, work: () => Promise<T>): Promise<T> {
  const lease = createLease(root);
  await lease.open();
  try {
    return await work();
  } finally {
    await lease.release();
  }
}

export interface LiveLeases {
  /** Keys held by live operations. */
  readonly keys: Set<string>;
  /** When the oldest live operation began; undefined when none runs. */
  readonly oldestSince: number | undefined;
}

/** What live operations hold; leases of dead processes are removed on the way. */
export async function liveLeases(root: string): Promise<LiveLeases> {
  const dir = leaseDir(root);
  const held = new Set<string>();
  let oldestSince: number | undefined;
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
    if (typeof lease.since === 'number') oldestSince = Math.min(oldestSince ?? lease.since, lease.since);
  }
  return { keys: held, oldestSince };
}
