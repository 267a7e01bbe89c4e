import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeCacheKey, lockKey } from '../../src/cache/index.ts';
import { isTsbuildError } from '../../src/errors.ts';
import { tempDirsForEachTest } from './tmp.ts';

const tempDir = tempDirsForEachTest();
const key = computeCacheKey({ step: 'lock' }, []);

describe('cache key locks', () => {
  it('lets one holder at a time take a key', async () => {
    const root = await tempDir();
    const release = await lockKey(root, key);
    let second = false;
    const waiting = lockKey(root, key, undefined, { pollMs: 10 }).then((r) => {
      second = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(second).toBe(false);
    await release();
    await (await waiting)();
    expect(second).toBe(true);
  });

  it('stops waiting when the build is cancelled', async () => {
    const root = await tempDir();
    const release = await lockKey(root, key);
    const controller = new AbortController();
    const waiting = lockKey(root, key, controller.signal, { pollMs: 10 });
    controller.abort();
    const error = await waiting.catch((e: unknown) => e);
    expect(isTsbuildError(error, 'CANCELLED')).toBe(true);
    await release();
  });

  it('recovers the lock of a holder that was killed', async () => {
    const root = await tempDir();
    const module = path.resolve(import.meta.dirname, '../../src/cache/lock.ts');
    const script = `import { lockKey } from ${JSON.stringify(module)};
      await lockKey(${JSON.stringify(root)}, ${JSON.stringify(key)}, undefined, { staleMs: 2000 });
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
      holder.kill('SIGKILL');
      const release = await lockKey(root, key, undefined, { staleMs: 2000, pollMs: 50 });
      await release();
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
