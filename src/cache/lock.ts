import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lock } from 'proper-lockfile';
import { TsbuildError } from '../errors.ts';
import { cacheLayout } from './layout.ts';
import { alive } from './lease.ts';

/** Beside each held `<file>.lock` dir (which must stay empty): the holder's pid. */
const OWNER = '.owner';
/** A lock dir without an owner file for this long was left by a holder killed while taking it. */
const OWNERLESS_MS = 2_000;

/**
 * Removes the lock on `file` when its holder is gone; true if it did. Two processes may both find
 * the same holder dead and both end up holding: they redo one step twice, as after a stale takeover.
 */
async function removeIfDead(file: string, now = Date.now()): Promise<boolean> {
  const lockDir = `${file}.lock`;
  const owner = await readFile(`${file}${OWNER}`, 'utf8').catch(() => undefined);
  if (owner === undefined) {
    const stat = await lstat(lockDir).catch(() => undefined);
    if (stat === undefined || now - stat.mtimeMs < OWNERLESS_MS) return false;
  } else if (alive(Number(owner))) {
    return false;
  }
  await rm(`${file}${OWNER}`, { force: true });
  await rm(lockDir, { recursive: true, force: true });
  return true;
}

/** Removes key locks whose holder is gone (a crashed build's), so nothing waits for them. */
export async function sweepLocks(root: string): Promise<void> {
  const dir = cacheLayout(root).locks;
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (name.endsWith('.lock')) await removeIfDead(path.join(dir, name.slice(0, -'.lock'.length)));
    // An owner file without its lock: a stale takeover removed the dir and its taker died before making one.
    else if (name.endsWith(OWNER) && !names.includes(`${name.slice(0, -OWNER.length)}.lock`)) {
      await removeIfDead(path.join(dir, name.slice(0, -OWNER.length)));
    }
  }
}

export interface KeyLockOptions {
  /** A holder that stopped refreshing its lock this long ago is presumed dead (min 2000 ms). */
  readonly staleMs?: number;
  /** How often a waiter looks again. */
  readonly pollMs?: number;
}

/**
 * Cross-process lock on one cache key, for the solver's lock hook. proper-lockfile makes an
 * atomic `mkdir` lock whose mtime the holder refreshes; a holder that died (killed, power cut)
 * stops refreshing and its lock is taken over once stale, so a crash never blocks the store.
 * Waiting is a poll that the build's AbortSignal stops. The solver takes the lock only after the
 * vertex's inputs are ready and holds it only while the vertex runs, so no holder ever waits for
 * another lock: no deadlock.
 */
export async function lockKey(
  root: string,
  key: string,
  signal: AbortSignal = new AbortController().signal,
  options: KeyLockOptions = {},
): Promise<() => Promise<void>> {
  const dir = cacheLayout(root).locks;
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `key-${key.replace(/[^A-Za-z0-9]/g, '_')}`);
  const stale = Math.max(options.staleMs ?? 10_000, 2_000);
  for (;;) {
    if (signal.aborted) throw new TsbuildError('CANCELLED', 'build cancelled while waiting for a cache lock');
    try {
      const release = await lock(file, {
        realpath: false,
        stale,
        retries: 0,
        // Taken over as stale while still alive (e.g. the event loop was blocked for `stale` ms):
        // the other process redoes the same step, and both write the same complete record.
        onCompromised: () => undefined,
      });
      await writeFile(`${file}${OWNER}`, String(process.pid));
      return async () => {
        await rm(`${file}${OWNER}`, { force: true });
        await release().catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new TsbuildError('CACHE', `cannot take the cache lock ${file}: ${(error as Error).message}`, {
          cause: error,
          hint: 'check that the store directory is writable',
        });
      }
    }
    // A holder known to be dead need not be waited out for `stale` ms.
    if (await removeIfDead(file)) continue;
    await sleep(options.pollMs ?? 100, undefined, { signal }).catch(() => undefined);
  }
}
