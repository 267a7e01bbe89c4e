import type { CacheRecord } from '../records.ts';

/** What a record keeps alive: snapshot ids and blob digests. */
export interface RecordRefs {
  readonly snapshots: readonly string[];
  readonly blobs: readonly string[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The snapshots and blobs a record refers to: its declared `snapshotId`/`layer`, plus anything in
 * the op's opaque result that is a `snapshotId` field or a sha256 digest. Reading the result too
 * means GC can never free something a record still needs, whatever shape the op gave it.
 */
export function refsOf(record: CacheRecord): RecordRefs {
  const snapshots = new Set<string>();
  const blobs = new Set<string>();
  if (record.snapshotId !== undefined) snapshots.add(record.snapshotId);
  if (record.layer !== undefined) blobs.add(record.layer.digest);
  const visit = (value: unknown, field: string | undefined): void => {
    if (typeof value === 'string') {
      if (field === 'snapshotId') snapshots.add(value);
      else if (DIGEST.test(value)) blobs.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, undefined);
    } else if (typeof value === 'object' && value !== null) {
      for (const [name, inner] of Object.entries(value)) visit(inner, name);
    }
  };
  visit(record.result, undefined);
  return { snapshots: [...snapshots], blobs: [...blobs] };
}
