/**
 * `--cache-from` / `--cache-to` around one build: specs checked before
 * anything runs, caches imported before solving (a missing one is a warning,
 * as in BuildKit), inline metadata put into the image config, exports after
 * the image is stored.
 */
import type { CacheSpec } from '../build-outputs.ts';
import {
  type CacheExportSpec,
  type CacheImportSpec,
  exportCache,
  INLINE_CACHE_FIELD,
  importCache,
  inlineCache,
  parseCacheExportSpec,
  parseCacheImportSpec,
} from '../cache/index.ts';
import { ensureCompressed, type Image, type ImageConfig } from '../image/index.ts';
import type { OpServices } from '../ops/services.ts';
import type { Platform } from '../plan/index.ts';
import type { RegistryAccessOptions } from '../registry/index.ts';
import { type BuildEvent, phase } from './events.ts';

export interface CacheSpecs {
  readonly imports: readonly CacheImportSpec[];
  readonly exports: readonly CacheExportSpec[];
}

export function parseCacheSpecs(from: readonly CacheSpec[] = [], to: readonly CacheSpec[] = []): CacheSpecs {
  return { imports: from.map(parseCacheImportSpec), exports: to.map(parseCacheExportSpec) };
}

function where(spec: CacheImportSpec | CacheExportSpec): string {
  if (spec.type === 'local') return 'src' in spec ? spec.src : spec.dest;
  return spec.type === 'registry' ? spec.ref : 'the image config';
}

interface CacheRun {
  readonly services: OpServices;
  readonly platform: Platform;
  readonly registry: RegistryAccessOptions;
  readonly signal?: AbortSignal;
  readonly emit: (e: BuildEvent) => void;
  readonly warn: (message: string) => void;
}

export async function importCaches(specs: CacheSpecs, run: CacheRun): Promise<void> {
  for (const [i, spec] of specs.imports.entries()) {
    const report = await phase(
      run.emit,
      { id: `cache-import-${i}`, name: `importing cache from ${where(spec)}` },
      () =>
        importCache(spec, {
          store: run.services.store,
          cache: run.services.cache,
          platform: run.platform,
          registry: run.registry,
          ...(run.signal !== undefined && { signal: run.signal }),
        }),
    );
    if (!report.found) run.warn(`no cache found at ${report.where}; building without it`);
  }
}

/** The image with BuildKit-style inline cache metadata, when `--cache-to type=inline` asks for it. */
export async function withInlineCache(
  specs: CacheSpecs,
  services: OpServices,
  image: Image,
  keys: readonly string[],
): Promise<Image> {
  if (!specs.exports.some((s) => s.type === 'inline')) return image;
  const doc = await inlineCache({
    store: services.store,
    cache: services.cache,
    keys,
    imageDiffIds: image.config.rootfs.diff_ids,
  });
  // The OCI config allows extra fields; this one is tsbuild's, read back by importCache.
  const config = { ...image.config, [INLINE_CACHE_FIELD]: doc } as ImageConfig;
  return { ...image, config };
}

export async function exportCaches(
  specs: CacheSpecs,
  run: CacheRun,
  keys: readonly string[],
  image: Image,
): Promise<void> {
  for (const [i, spec] of specs.exports.entries()) {
    if (spec.type === 'inline') continue;
    await phase(run.emit, { id: `cache-export-${i}`, name: `exporting cache to ${where(spec)}` }, () =>
      exportCache(spec, {
        store: run.services.store,
        cache: run.services.cache,
        keys,
        imageDiffIds: image.config.rootfs.diff_ids,
        platform: run.platform,
        registry: run.registry,
        ensureCompressed: (layer, choice) => ensureCompressed(run.services.store, layer, choice),
        ...(run.signal !== undefined && { signal: run.signal }),
      }),
    );
  }
}
