/**
 * Key locks and leases of killed builds: a waiter takes over a dead holder's lock at once instead
 * of waiting for it to go stale, and opening the cache store sweeps dead locks and leases, while
 * live holders keep theirs.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeCacheKey, createLease, openCacheStore } from '../../src/cache/index.ts';
import { lockKey, sweepLocks } from '../../src/cache/lock.ts';
import { tempDirsForEachTest } from '../cache/tmp.ts';

const tempDir = tempDirsForEachTest();
/** So long that only the dead-holder check, not staleness, can explain a takeover within the test timeout. */
const NEVER_STALE = { staleMs: 3_600_000, pollMs: 20 };

/** A child process that takes the lock on `key` and then is SIGKILLed. */
async function killedHolder(root: string, key: string): Promise<void> {
  const module = path.resolve(import.meta.dirname, '../../src/cache/lock.ts');
  const script = `import { lockKey } from ${JSON.stringify(module)};
    await lockKey(${JSON.stringify(root)}, ${JSON.stringify(key)}, undefined, { staleMs: 3600000 });
    process.stdout.write('locked\\n');
    setInterval(() => undefined, 1000);`;
  const holder = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('locked')) resolve();
      });
      holder.on('exit', (code) => reject(new Error(`lock holder exited early (${code})`)));
    });
  } finally {
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
  }
}

describe('key locks of crashed builds', () => {
  it('are taken over at once when their holder is dead', { timeout: 20_000 }, async () => {
    const root = await tempDir('tsbuild-locks-');
    const key = computeCacheKey({ step: 'killed holder' }, []);
    await killedHolder(root, key);
    expect(await readdir(path.join(root, 'locks'))).toHaveLength(2);
    const release = await lockKey(root, key, undefined, NEVER_STALE);
    await release();
    expect(await readdir(path.join(root, 'locks'))).toEqual([]);
  });

  it('are swept at start, and a live holder keeps its lock', async () => {
    const root = await tempDir('tsbuild-locks-');
    const dead = computeCacheKey({ step: 'dead' }, []);
    const live = computeCacheKey({ step: 'live' }, []);
    await killedHolder(root, dead);
    const release = await lockKey(root, live, undefined, NEVER_STALE);
    await sweepLocks(root);
    const left = await readdir(path.join(root, 'locks'));
    expect(left.sort()).toEqual([
      `key-${live.replace(':', '_')}.lock`,
      `key-${live.replace(':', '_')}.owner`,
    ]);
    await release();
    expect(await readdir(path.join(root, 'locks'))).toEqual([]);
  });

  it('are swept, with the leases of dead builds, when the cache store is opened', async () => {
    const root = await tempDir('tsbuild-locks-');
    const dead = computeCacheKey({ step: 'dead' }, []);
    await killedHolder(root, dead);
    const leases = path.join(root, 'cache', 'leases');
    await mkdir(leases, { recursive: true });
    // A pid far above pid_max: a lease and a half-written lease of a build that is gone.
    await writeFile(path.join(leases, '4194321-aa.json'), JSON.stringify({ pid: 4194321, keys: [dead] }));
    await writeFile(path.join(leases, '4194321-bb.json.123456'), '{"pid":');
    const live = createLease(root);
    await live.hold(dead);
    await openCacheStore(root);
    expect(await readdir(path.join(root, 'locks'))).toEqual([]);
    expect(await readdir(leases)).toEqual([
      expect.stringMatching(new RegExp(`^${process.pid}-[0-9a-f]+\\.json$`)),
    ]);
    await live.release();
  });
});
