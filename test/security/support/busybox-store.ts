/** A temp dir holding a store with `busybox:local` imported, made and removed by vitest hooks. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { tsbuild } from '../../support/cli.ts';

export interface BusyboxStore {
  /** The temp dir (contexts go here too). */
  readonly dir: string;
  /** The store, under `dir`. */
  readonly root: string;
}

export function useBusyboxStore(prefix: string): BusyboxStore {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
    const imported = await tsbuild(['import', inject('busyboxRootfs'), 'busybox:local'], {
      root: path.join(dir, 'store'),
    });
    expect(imported.code, imported.stderr).toBe(0);
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  const made = () => {
    if (dir === undefined) throw new Error('useBusyboxStore: the store exists only inside tests');
    return dir;
  };
  return {
    get dir() {
      return made();
    },
    get root() {
      return path.join(made(), 'store');
    },
  };
}
