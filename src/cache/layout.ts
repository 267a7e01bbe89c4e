import path from 'node:path';

/** Where the cache keeps its files under the store root (see docs/architecture.md). */
export interface CacheLayout {
  readonly records: string;
  /** Content manifests of COPY/ADD checksums, one file per distinct checksum. */
  readonly content: string;
  /** Markers that let --explain find records with the same inputs or slot. */
  readonly index: string;
  readonly stat: string;
  /** Validators (ETag, Last-Modified) and content digests of URLs ADD downloaded. */
  readonly urls: string;
  readonly locks: string;
  /** Temp files of atomic writes, named after their process (see atomic.ts). */
  readonly tmp: string;
}

export function cacheLayout(root: string): CacheLayout {
  const cache = path.join(root, 'cache');
  return {
    records: path.join(cache, 'records'),
    content: path.join(cache, 'content'),
    index: path.join(cache, 'index'),
    stat: path.join(cache, 'stat'),
    urls: path.join(cache, 'urls'),
    locks: path.join(root, 'locks'),
    tmp: path.join(cache, 'tmp'),
  };
}
