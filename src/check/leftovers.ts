/**
 * Debris of crashed processes: temp files in ingest/ and tmp/, container bundles and runtime state
 * in run/, half-made cache mount dirs, stale key locks and leases. Anything a live process owns is
 * its work in progress and is not reported.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isOwnerAlive, isPidAlive, type Owner } from '../executor/index.ts';
import type { Findings } from './report.ts';

/** proper-lockfile's default staleness as the cache's key locks use it (cache/lock.ts). */
const LOCK_STALE_MS = 10_000;

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}

/** `<pid>-…` names (image store temp files, leases). */
function pidOf(name: string): number {
  return Number(name.split('-', 1)[0]);
}

async function ownerFile(file: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

export async function checkLeftovers(root: string, findings: Findings, now = Date.now()): Promise<void> {
  const leftover = (rel: string, message: string) => findings.add('temp', 'leftover', rel, message);
  for (const name of await names(path.join(root, 'ingest'))) {
    if (!isPidAlive(pidOf(name)))
      leftover(path.join('ingest', name), 'partial write of a process that is gone');
  }
  for (const name of await names(path.join(root, 'tmp'))) {
    if (!isPidAlive(pidOf(name))) leftover(path.join('tmp', name), 'scratch space of a process that is gone');
  }
  for (const name of await names(path.join(root, 'cache', 'tmp'))) {
    if (!isPidAlive(pidOf(name)))
      leftover(path.join('cache', 'tmp', name), 'half-written cache file of a process that is gone');
  }
  for (const name of await names(path.join(root, 'run'))) {
    if (name === 'runc') continue;
    if (!isOwnerAlive(await ownerFile(path.join(root, 'run', name, 'owner.json')))) {
      leftover(path.join('run', name), 'container bundle of a process that is gone');
    }
  }
  for (const name of await names(path.join(root, 'run', 'runc'))) {
    if (!isOwnerAlive(await ownerFile(path.join(root, 'run', name, 'owner.json')))) {
      leftover(path.join('run', 'runc', name), 'runtime state of a container whose process is gone');
    }
  }
  const mounts = path.join(root, 'cache', 'mounts');
  for (const key of await names(mounts)) {
    for (const name of (await names(path.join(mounts, key))).filter((n) => n.startsWith('.new-'))) {
      const [pid, startTime] = name.slice('.new-'.length).split('-');
      if (!isOwnerAlive({ pid: Number(pid), startTime: startTime ?? '' })) {
        leftover(path.join('cache', 'mounts', key, name), 'cache mount dir whose creation was cut short');
      }
    }
  }
  for (const name of await names(path.join(root, 'locks'))) {
    const stat = await lstat(path.join(root, 'locks', name)).catch(() => undefined);
    if (stat !== undefined && now - stat.mtimeMs > LOCK_STALE_MS) {
      leftover(path.join('locks', name), 'stale lock: its holder stopped refreshing it');
    }
  }
  for (const name of await names(path.join(root, 'cache', 'leases'))) {
    if (!isPidAlive(pidOf(name)))
      leftover(path.join('cache', 'leases', name), 'lease of a build that is gone');
  }
}
