/**
 * Opening a store: where it lives, the services over it, and the sweep of
 * what a crashed process left behind (containers, bundles, temp files),
 * which runs before any build.
 */
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { cacheBlobRoots, createContextHasher, lockKey, openCacheStore } from '../cache/index.ts';
import { createRuncExecutor, createSnapshotter, sweep } from '../executor/index.ts';
import { openImageStore, parseDigest } from '../image/index.ts';
import type { OpServices } from '../ops/services.ts';
import type { KeyLock } from '../solver/index.ts';

export interface ServiceOptions {
  /** Store root; default `TSBUILD_ROOT`, else `/var/lib/tsbuild` for root, else `$XDG_DATA_HOME/tsbuild`. */
  readonly root?: string;
  /** OCI runtime: `runc` (default), `crun`, or a path. */
  readonly runtime?: string;
  readonly snapshotter?: 'auto' | 'overlay' | 'copy';
}

export function defaultRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TSBUILD_ROOT) return resolve(env.TSBUILD_ROOT);
  if (process.getuid?.() === 0) return '/var/lib/tsbuild';
  const data = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(data, 'tsbuild');
}

export interface Services extends OpServices {
  readonly lock: KeyLock;
}

export async function openServices(options: ServiceOptions): Promise<Services> {
  const root = resolve(options.root ?? defaultRoot());
  await mkdir(root, { recursive: true, mode: 0o711 });
  await sweep({ root });
  const [store, cache] = await Promise.all([openImageStore(root), openCacheStore(root)]);
  const snapshotter = createSnapshotter({ root, kind: options.snapshotter ?? 'auto' });
  const executor = createRuncExecutor({
    root,
    ...(options.runtime !== undefined && { runtime: options.runtime }),
  });
  const hasher = createContextHasher({ root });
  // Layer blobs that cache records point at are live for the image store's GC.
  const roots = cacheBlobRoots(cache);
  store.gcRoots.register('cache', async () => (await roots()).map((d) => parseDigest(d)));
  return {
    root,
    store,
    snapshotter,
    executor,
    cache,
    hasher,
    lock: (key, signal) => lockKey(root, key, signal),
  };
}
