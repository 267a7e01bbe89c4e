// Remote cache: --cache-to / --cache-from (local OCI layout, registry, inline).
export { type CacheExportContext, type CacheExportReport, exportCache, inlineCache } from './export.ts';
export { type CacheDocument, INLINE_CACHE_FIELD } from './format.ts';
export { type CacheImportContext, type CacheImportReport, importCache } from './import.ts';
export {
  type CacheCompression,
  type CacheExportSpec,
  type CacheImportSpec,
  type CacheMode,
  parseCacheExportSpec,
  parseCacheImportSpec,
  type RawCacheSpec,
} from './spec.ts';
