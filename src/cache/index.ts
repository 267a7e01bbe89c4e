// The cache module's public surface: keys, context checksums, records, locks.
export { type ContentManifest, type ContextEntry, type EntryType, manifestOf } from './content.ts';
export {
  type ChecksumOptions,
  type ContextChecksum,
  type ContextHasher,
  type ContextHasherOptions,
  type ContextSelection,
  createContextHasher,
} from './context-hasher.ts';
export { explainMiss, type MissQuery } from './explain.ts';
export { type DiskUsageReport, du, type RecordUsage } from './gc/du.ts';
export {
  cacheBlobRoots,
  type GcOwners,
  gcIfOverBudget,
  type PruneOptions,
  type PruneReport,
  prune,
} from './gc/prune.ts';
export type { UsageLine } from './gc/usage.ts';
export { parseDockerignore } from './ignore/dockerignore.ts';
export { createPatternMatcher, type PatternMatcher } from './ignore/matcher.ts';
export { type CacheDefinition, canonicalJson, computeCacheKey } from './key.ts';
export { createLease, type Lease, withLease } from './lease.ts';
export { type KeyLockOptions, lockKey } from './lock.ts';
export { normaliseMode } from './mode.ts';
export {
  aliasRecord,
  type CacheRecord,
  type CacheRecordInput,
  type CacheStore,
  openCacheStore,
  type RecordInfo,
} from './records.ts';
export * from './remote/index.ts';
export { openUrlCache, type UrlCache, type UrlRecord } from './url-cache.ts';
