import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Digest } from '../digest.ts';
import { sweepTempDir } from './atomic.ts';
import { type BlobStore, createBlobStore } from './blob-store.ts';
import { createRefStore, type RefStore } from './ref-store.ts';

/**
 * Something outside the image store (e.g. cache records) that still needs some blobs: it yields
 * their digests (`sha256:…`; strings that are not digests name no blob and are ignored).
 */
export type GcRootProvider = () => Promise<Iterable<Digest | string>> | Iterable<Digest | string>;

export interface GcRoots {
  /** Declares blobs another module references; returns a function that removes the provider. */
  register(name: string, provider: GcRootProvider): () => void;
  providers(): readonly (readonly [string, GcRootProvider])[];
}

export interface ImageStore {
  readonly root: string;
  readonly blobs: BlobStore;
  readonly refs: RefStore;
  readonly gcRoots: GcRoots;
}

function createGcRoots(): GcRoots {
  const providers = new Map<string, GcRootProvider>();
  return {
    register(name, provider) {
      providers.set(name, provider);
      return () => {
        if (providers.get(name) === provider) providers.delete(name);
      };
    },
    providers: () => [...providers.entries()],
  };
}

/**
 * Opens (creating if needed) the image part of a tsbuild store and sweeps what crashed writers
 * left in `ingest/` (every temp file the image store writes lives there). Several processes may open the same root at once.
 */
export async function openImageStore(root: string): Promise<ImageStore> {
  const absolute = path.resolve(root);
  for (const dir of ['blobs/sha256', 'ingest', 'refs', 'compressed']) {
    await fsp.mkdir(path.join(absolute, dir), { recursive: true });
  }
  await sweepTempDir(path.join(absolute, 'ingest'));
  return {
    root: absolute,
    blobs: createBlobStore(absolute),
    refs: createRefStore(absolute),
    gcRoots: createGcRoots(),
  };
}
