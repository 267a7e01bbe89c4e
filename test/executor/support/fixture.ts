/** Per-describe test store with a runc executor, created and removed by vitest hooks. */
import { afterAll, beforeAll } from 'vitest';
import { createRuncExecutor } from '../../../src/executor/index.ts';
import type { Executor } from '../../../src/executor/types.ts';
import { createTestStore, type TestStore } from './busybox.ts';

export interface StoreFixture {
  readonly store: TestStore;
  readonly executor: Executor;
}

/** Registers hooks that create a busybox store and a runc executor for the enclosing describe, and remove them. */
export function useTestStore(kind: 'overlay' | 'copy' = 'overlay'): StoreFixture {
  let store: TestStore | undefined;
  let executor: Executor | undefined;
  beforeAll(async () => {
    store = await createTestStore(kind);
    executor = createRuncExecutor({ root: store.root });
  });
  afterAll(async () => {
    await store?.cleanup();
  });
  return {
    get store() {
      if (store === undefined) throw new Error('useTestStore: the store exists only inside tests');
      return store;
    },
    get executor() {
      if (executor === undefined) throw new Error('useTestStore: the executor exists only inside tests');
      return executor;
    },
  };
}
