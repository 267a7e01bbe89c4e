import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TsbuildError } from '../errors.ts';
import { sweepTempDir } from '../image/index.ts';
import { writeJsonAtomic } from './atomic.ts';
import type { ContentManifest } from './content.ts';
import { canonicalJson, sha256Hex } from './key.ts';
import { cacheLayout } from './layout.ts';
import { sweepLeases } from './lease.ts';
import { sweepLocks } from './lock.ts';

/** What a step stores for its key; written only after its snapshot and blobs are complete. */
export interface CacheRecordInput {
  /** The op's own payload (JSON), opaque to the cache. */
  readonly result: unknown;
  /** The definition the key was made from, kept for `--explain`. */
  readonly definition?: unknown;
  /** Human text of the step, e.g. `COPY . /app`. */
  readonly description?: string;
  readonly inputKeys?: readonly string[];
  /** Where the step sits (e.g. `stage build, step 3`), so a changed step still finds its old record. */
  readonly slot?: string;
  /** COPY/ADD: the per-file hashes behind the content checksum, kept for `--explain`. */
  readonly content?: ContentManifest;
  /** What the record holds on to, so GC can tell what is still referenced. */
  readonly snapshotId?: string;
  readonly layer?: { readonly digest: string; readonly diffId: string; readonly size: number };
  /** The key whose record this one repeats (a content-key match, or an alias). */
  readonly aliasOf?: string;
}

export interface CacheRecord extends Omit<CacheRecordInput, 'content'> {
  readonly key: string;
  readonly createdAt: number;
  /** Content manifest digest; the manifest itself is stored once per distinct content. */
  readonly contentDigest?: string;
}

export interface RecordInfo {
  readonly key: string;
  readonly size: number;
  /** Last time a build used the record (ms since epoch). */
  readonly lastUsed: number;
}

export interface CacheStore {
  readonly root: string;
  get(key: string): Promise<CacheRecord | undefined>;
  /** Atomic: readers see the old record or the new one, never a partial file. */
  put(key: string, record: CacheRecordInput): Promise<CacheRecord>;
  /** Mark the record used now (LRU for GC); a missing record is ignored. */
  touch(key: string): Promise<void>;
  list(): Promise<RecordInfo[]>;
  remove(key: string): Promise<void>;
  content(digest: string): Promise<ContentManifest | undefined>;
  /** Keys of records whose step had the same inputs, or the same slot. */
  candidates(query: { readonly inputKeys?: readonly string[]; readonly slot?: string }): Promise<string[]>;
}

const KEY_RE = /^sha256:([0-9a-f]{64})$/;

function hexOf(key: string): string {
  const match = KEY_RE.exec(key);
  if (match === null) {
    throw new TsbuildError('CACHE', `invalid cache key "${key}": expected sha256:<64 hex digits>`, {
      hint: 'cache keys come from computeCacheKey(); this is a bug in the caller',
    });
  }
  return match[1]!;
}

export async function openCacheStore(root: string): Promise<CacheStore> {
  const layout = cacheLayout(root);
  await Promise.all(
    [layout.records, layout.content, layout.index].map((dir) => mkdir(dir, { recursive: true })),
  );
  // What crashed builds left: their leases, key locks and half-written files.
  await Promise.all([sweepLeases(root), sweepLocks(root), sweepTempDir(layout.tmp)]);
  const recordPath = (key: string): string => {
    const hex = hexOf(key);
    return path.join(layout.records, hex.slice(0, 2), `${hex}.json`);
  };
  const indexDir = (kind: 'inputs' | 'slot', value: string): string =>
    path.join(layout.index, kind, sha256Hex(value).slice(0, 32));

  const get = async (key: string): Promise<CacheRecord | undefined> => {
    const text = await readFile(recordPath(key), 'utf8').catch(ignoreMissing);
    if (text === undefined) return undefined;
    return JSON.parse(text) as CacheRecord;
  };

  const put = async (key: string, input: CacheRecordInput): Promise<CacheRecord> => {
    const { content, ...rest } = input;
    let contentDigest: string | undefined;
    if (content !== undefined) {
      contentDigest = content.digest;
      const file = path.join(layout.content, `${hexOf(content.digest)}.json`);
      // Content manifests are content-addressed: an existing file already holds these bytes.
      if ((await stat(file).catch(ignoreMissing)) === undefined)
        await writeJsonAtomic(file, content, layout.tmp);
    }
    const record: CacheRecord = {
      ...rest,
      key,
      createdAt: Date.now(),
      ...(contentDigest !== undefined && { contentDigest }),
    };
    await writeJsonAtomic(recordPath(key), record, layout.tmp);
    // The indexes only help --explain find a near record; a lost marker costs an explanation.
    const markers: string[] = [];
    if (input.inputKeys !== undefined) markers.push(indexDir('inputs', canonicalJson(input.inputKeys)));
    if (input.slot !== undefined) markers.push(indexDir('slot', input.slot));
    await Promise.all(
      markers.map(async (dir) => {
        await mkdir(dir, { recursive: true });
        await writeFile(path.join(dir, hexOf(key)), '');
      }),
    );
    return record;
  };

  const touch = async (key: string): Promise<void> => {
    const now = new Date();
    await utimes(recordPath(key), now, now).catch(ignoreMissing);
  };

  const list = async (): Promise<RecordInfo[]> => {
    const out: RecordInfo[] = [];
    for (const shard of await readdir(layout.records).catch(() => [] as string[])) {
      const dir = path.join(layout.records, shard);
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        // Only finished records: a writer's temp file (crash leftover) has another name.
        const match = /^([0-9a-f]{64})\.json$/.exec(name);
        if (match === null) continue;
        const st = await stat(path.join(dir, name)).catch(ignoreMissing);
        if (st !== undefined) out.push({ key: `sha256:${match[1]}`, size: st.size, lastUsed: st.mtimeMs });
      }
    }
    return out;
  };

  const remove = async (key: string): Promise<void> => {
    await rm(recordPath(key), { force: true });
  };

  const content = async (digest: string): Promise<ContentManifest | undefined> => {
    const text = await readFile(path.join(layout.content, `${hexOf(digest)}.json`), 'utf8').catch(
      ignoreMissing,
    );
    return text === undefined ? undefined : (JSON.parse(text) as ContentManifest);
  };

  const candidates = async (query: {
    readonly inputKeys?: readonly string[];
    readonly slot?: string;
  }): Promise<string[]> => {
    const dirs: string[] = [];
    if (query.inputKeys !== undefined) dirs.push(indexDir('inputs', canonicalJson(query.inputKeys)));
    if (query.slot !== undefined) dirs.push(indexDir('slot', query.slot));
    const keys = new Set<string>();
    for (const dir of dirs) {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (/^[0-9a-f]{64}$/.test(name)) keys.add(`sha256:${name}`);
      }
    }
    return [...keys];
  };

  return { root, get, put, touch, list, remove, content, candidates } satisfies CacheStore;
}

function ignoreMissing(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw error;
}

/**
 * Records under `key` what `existing` holds (same result, inputs, definition, content), marked
 * `aliasOf`, so a step found through an equivalent key is found by its own key next time.
 */
export async function aliasRecord(store: CacheStore, existing: string, key: string): Promise<void> {
  const record = await store.get(existing);
  if (record === undefined || existing === key) return;
  const { key: _key, createdAt: _createdAt, contentDigest, ...rest } = record;
  const content = contentDigest === undefined ? undefined : await store.content(contentDigest);
  await store.put(key, {
    ...rest,
    aliasOf: record.aliasOf ?? existing,
    ...(content !== undefined && { content }),
  });
}
