import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { lock } from 'proper-lockfile';
import { TsbuildError } from '../errors.ts';
import { cacheLayout } from './layout.ts';

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
      return async () => {
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
    await sleep(options.pollMs ?? 100, undefined, { signal }).catch(() => undefined);
  }
}
