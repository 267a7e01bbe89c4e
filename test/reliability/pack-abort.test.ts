/**
 * A layer reader that gives up half-way (its blob write failed: disk full, cancelled) must not
 * take the process down: the tar packer stops quietly and the reader's error is what surfaces.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { packLayer } from '../../src/image/index.ts';
import { tempDirsForEachTest } from '../cache/tmp.ts';

describe('a layer stream abandoned by its reader', () => {
  const tempDir = tempDirsForEachTest();

  it('stops without an uncaught error or unhandled rejection, mid-file and between files', async () => {
    const dir = await tempDir('tsbuild-pack-abort-');
    await mkdir(path.join(dir, 'data'));
    for (const name of ['a', 'b', 'c'])
      await writeFile(path.join(dir, 'data', name), Buffer.alloc(4 << 20, name));
    const uncaught: unknown[] = [];
    const record = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
    try {
      for (const giveUpAfter of [1, 3, 40]) {
        const stream = packLayer(dir);
        let chunks = 0;
        const consumer = (async () => {
          for await (const _chunk of stream) {
            if (++chunks === giveUpAfter) throw new Error('ENOSPC: no space left on device, write');
          }
        })();
        await expect(consumer).rejects.toThrow('ENOSPC');
        expect(stream.destroyed).toBe(true);
      }
      // Give a late 'error' event every chance to fire.
      await sleep(200);
    } finally {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
    }
    expect(uncaught).toEqual([]);
  });
});
