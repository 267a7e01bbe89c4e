/**
 * `--cache-to` / `--cache-from` as typed specs, from the generic `type=…,key=value` form the CLI
 * parses (BuildKit's attribute names).
 */
import { TsbuildError } from '../../errors.ts';

/** `min`: the records of the final image's steps; `max`: every step of the build. */
export type CacheMode = 'min' | 'max';

/** How layers travel in an exported cache; `uncompressed` keeps the store's tars as they are. */
export type CacheCompression = 'uncompressed' | 'gzip' | 'zstd';

export type CacheExportSpec =
  | {
      readonly type: 'local';
      /** Directory written as an OCI image layout. */
      readonly dest: string;
      /** Name of the cache in the layout's index.json (default `latest`). */
      readonly tag: string;
      readonly mode: CacheMode;
      readonly compression: CacheCompression;
      /** Export `RUN --mount=type=cache` directories too. */
      readonly cacheMounts: boolean;
    }
  | {
      readonly type: 'registry';
      /** `REGISTRY/REPO:TAG` of the cache manifest. */
      readonly ref: string;
      readonly mode: CacheMode;
      readonly compression: CacheCompression;
      readonly cacheMounts: boolean;
    }
  /** Cache metadata in the built image's config; only the image's own layers (mode min). */
  | { readonly type: 'inline' };

export type CacheImportSpec =
  | { readonly type: 'local'; readonly src: string; readonly tag: string }
  /** A cache manifest, or an image pushed with inline cache metadata. */
  | { readonly type: 'registry'; readonly ref: string };

/** The generic form (`CacheSpec` of build-outputs.ts). */
export interface RawCacheSpec {
  readonly type: string;
  readonly attrs: Readonly<Record<string, string>>;
}

function usage(flag: string, message: string, hint: string): TsbuildError {
  return new TsbuildError('USAGE', `${flag}: ${message}`, { hint });
}

function required(raw: RawCacheSpec, name: string, flag: string): string {
  const value = raw.attrs[name];
  if (value === undefined || value === '') {
    throw usage(flag, `type=${raw.type} needs ${name}=`, `e.g. ${flag} type=${raw.type},${name}=…`);
  }
  return value;
}

function oneOf<T extends string>(flag: string, name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usage(flag, `${name}=${value} is not one of ${allowed.join(', ')}`, `use ${name}=${allowed[0]}`);
}

function booleanAttr(flag: string, name: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  return oneOf(flag, name, value, ['true', 'false']) === 'true';
}

function checkKnown(raw: RawCacheSpec, flag: string, known: readonly string[]): void {
  for (const name of Object.keys(raw.attrs)) {
    if (!known.includes(name)) {
      throw usage(flag, `type=${raw.type} has no option ${name}=`, `known options: ${known.join(', ')}`);
    }
  }
}

export function parseCacheExportSpec(raw: RawCacheSpec): CacheExportSpec {
  const flag = '--cache-to';
  if (raw.type === 'inline') {
    checkKnown(raw, flag, []);
    return { type: 'inline' };
  }
  const common = () => ({
    mode: oneOf(flag, 'mode', raw.attrs.mode ?? 'min', ['min', 'max'] as const),
    compression: oneOf(flag, 'compression', raw.attrs.compression ?? 'uncompressed', [
      'uncompressed',
      'gzip',
      'zstd',
    ] as const),
    cacheMounts: booleanAttr(flag, 'cache-mounts', raw.attrs['cache-mounts']),
  });
  const shared = ['mode', 'compression', 'cache-mounts'];
  if (raw.type === 'local') {
    checkKnown(raw, flag, ['dest', 'tag', ...shared]);
    return { type: 'local', dest: required(raw, 'dest', flag), tag: raw.attrs.tag ?? 'latest', ...common() };
  }
  if (raw.type === 'registry') {
    checkKnown(raw, flag, ['ref', ...shared]);
    return { type: 'registry', ref: required(raw, 'ref', flag), ...common() };
  }
  throw usage(flag, `unknown cache type "${raw.type}"`, 'use type=local, type=registry or type=inline');
}

export function parseCacheImportSpec(raw: RawCacheSpec): CacheImportSpec {
  const flag = '--cache-from';
  if (raw.type === 'local') {
    checkKnown(raw, flag, ['src', 'tag']);
    return { type: 'local', src: required(raw, 'src', flag), tag: raw.attrs.tag ?? 'latest' };
  }
  if (raw.type === 'registry') {
    checkKnown(raw, flag, ['ref']);
    return { type: 'registry', ref: required(raw, 'ref', flag) };
  }
  throw usage(flag, `unknown cache type "${raw.type}"`, 'use type=local or type=registry');
}
