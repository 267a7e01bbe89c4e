import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { type ImageStore, openImageStore } from '../../../src/image/index.ts';
import { tempDir } from './tar.ts';

export interface TempStore {
  /** A fresh temp dir per test (the store lives in `<dir>/root`). */
  dir: string;
  store: ImageStore;
}

/** Registers hooks giving each test its own store in a temp dir, removed afterwards. */
export function tempStorePerTest(): TempStore {
  const ctx = {} as TempStore;
  let cleanup: () => Promise<void> = async () => {};
  beforeEach(async () => {
    const temp = await tempDir();
    cleanup = temp.cleanup;
    ctx.dir = temp.dir;
    ctx.store = await openImageStore(path.join(temp.dir, 'root'));
  });
  afterEach(async () => cleanup());
  return ctx;
}
