/**
 * The exported cache document (the config blob of a cache manifest, or the inline field of an
 * image config): cache records, the layer blobs they need by diff id, and cache-mount archives.
 * Records name layers by diff id, so the same document works whether the blobs travel
 * compressed or not; the importer maps each diff id to the blob it actually has.
 */
import { TsbuildError } from '../../errors.ts';
import type { Digest } from '../../image/index.ts';
import { isDigest } from '../../image/index.ts';

export const CACHE_SCHEMA = 'tsbuild.cache.v1';
export const CACHE_ARTIFACT_TYPE = 'application/vnd.tsbuild.cache.v1+json';
export const CACHE_CONFIG_TYPE = 'application/vnd.tsbuild.cache.config.v1+json';
/** Image config field holding inline cache metadata. */
export const INLINE_CACHE_FIELD = 'tsbuild.cache.v1';
/** Larger documents are refused rather than parsed (a hostile or broken cache). */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

/** A layer of a recorded state, as ops store it in a record's result. */
export interface ResultLayer {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly diffId: Digest;
  readonly size: number;
}

/** The shape a record's result must have to be exported: a state made of layers. */
export interface LayeredResult {
  readonly layers: readonly ResultLayer[];
  readonly snapshotId?: string;
  readonly [field: string]: unknown;
}

export interface ExportedRecord {
  readonly key: string;
  /** The result without machine-local fields (snapshot ids). */
  readonly result: LayeredResult;
  readonly definition?: unknown;
  readonly description?: string;
  readonly inputKeys?: readonly string[];
  readonly slot?: string;
}

/** A blob of the export, by the diff id of the tar inside. */
export interface ExportedBlob {
  readonly diffId: Digest;
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
}

export interface ExportedMount {
  /** Directory name under `cache/mounts/` (derived from the mount's id, so portable). */
  readonly dir: string;
  readonly id: string;
  readonly diffId: Digest;
}

export interface CacheDocument {
  readonly schema: typeof CACHE_SCHEMA;
  readonly blobs: readonly ExportedBlob[];
  readonly records: readonly ExportedRecord[];
  readonly mounts: readonly ExportedMount[];
}

const KEY = /^sha256:[0-9a-f]{64}$/;
const MOUNT_DIR = /^[0-9a-f]{32}$/;

function bad(where: string, what: string): TsbuildError {
  return new TsbuildError('CACHE', `the imported cache ${where} is not valid: ${what}`, {
    hint: 'export the cache again with this tsbuild version, or drop this --cache-from',
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkLayer(value: unknown, where: string): void {
  if (
    !isObject(value) ||
    !isDigest(value.digest) ||
    !isDigest(value.diffId) ||
    typeof value.mediaType !== 'string' ||
    typeof value.size !== 'number'
  ) {
    throw bad(where, 'a layer lacks mediaType, digest, diffId or size');
  }
}

/** Whether a record's result is a state made of layers (the only kind that can be exported). */
export function isLayeredResult(value: unknown): value is LayeredResult {
  if (!isObject(value) || !Array.isArray(value.layers)) return false;
  try {
    for (const layer of value.layers) checkLayer(layer, '');
    return true;
  } catch {
    return false;
  }
}

/** Parses and checks a document; throws CACHE with what is wrong. */
export function parseCacheDocument(bytes: Buffer | string, where: string): CacheDocument {
  if (bytes.length > MAX_DOCUMENT_BYTES) throw bad(where, `larger than ${MAX_DOCUMENT_BYTES} bytes`);
  let value: unknown;
  try {
    value = typeof bytes === 'string' ? JSON.parse(bytes) : JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw bad(where, `not JSON (${(err as Error).message})`);
  }
  return checkCacheDocument(value, where);
}

export function checkCacheDocument(value: unknown, where: string): CacheDocument {
  if (!isObject(value) || value.schema !== CACHE_SCHEMA) throw bad(where, `schema is not ${CACHE_SCHEMA}`);
  const { blobs, records, mounts } = value;
  if (!Array.isArray(blobs) || !Array.isArray(records) || !Array.isArray(mounts)) {
    throw bad(where, 'blobs, records and mounts must be lists');
  }
  for (const blob of blobs) checkLayer(blob, where);
  const known = new Set((blobs as ExportedBlob[]).map((b) => b.diffId));
  for (const record of records) {
    if (!isObject(record) || typeof record.key !== 'string' || !KEY.test(record.key)) {
      throw bad(where, 'a record has no sha256 key');
    }
    if (!isLayeredResult(record.result)) throw bad(where, `record ${record.key} has no layers`);
    for (const layer of record.result.layers) {
      if (!known.has(layer.diffId)) throw bad(where, `record ${record.key} needs layer ${layer.diffId}`);
    }
  }
  for (const mount of mounts) {
    if (
      !isObject(mount) ||
      typeof mount.dir !== 'string' ||
      !MOUNT_DIR.test(mount.dir) ||
      typeof mount.id !== 'string' ||
      !isDigest(mount.diffId) ||
      !known.has(mount.diffId)
    ) {
      throw bad(where, 'a cache mount entry is malformed');
    }
  }
  return value as unknown as CacheDocument;
}
