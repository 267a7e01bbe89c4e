import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { TsbuildError } from '../errors.ts';

/**
 * A step's normalised definition as the op builds it: instruction after expansion, flags, env,
 * user, workdir, shell, network, mount definitions, platform. It must be JSON data (checked at
 * run time: no functions, bigints, NaN); properties whose value is undefined are left out, so an
 * absent field and an undefined one give the same key.
 */
export type CacheDefinition = Readonly<Record<string, unknown>>;

/** Bumped whenever what goes into a key changes meaning, so old records simply stop matching. */
const KEY_SCHEMA = 'tsbuild.cache-key.v1';

/** RFC 8785 canonical JSON: sorted keys, one number format, so equal data gives equal bytes. */
export function canonicalJson(value: unknown): string {
  const problem = notJson(value, '$');
  const text = problem === undefined ? canonicalize(value) : undefined;
  if (text === undefined) {
    throw new TsbuildError(
      'CACHE',
      `cannot compute a cache key: ${problem ?? 'the value'} is not JSON data`,
      {
        hint: 'this is a bug in the op that built the definition',
      },
    );
  }
  return text;
}

/** Where a value stops being JSON data (a function, bigint, symbol or non-finite number), if it does. */
function notJson(value: unknown, at: string): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : at;
    case 'object': {
      if (value === null) return undefined;
      const entries = Array.isArray(value)
        ? value.map((v, i) => [String(i), v] as const)
        : Object.entries(value);
      for (const [name, inner] of entries) {
        const problem = notJson(inner, `${at}.${name}`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    default:
      return at;
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The cache key of one step: sha256 over the canonical JSON of its definition, its inputs' keys in
 * order, and (COPY/ADD) the content checksum of exactly what it reads. `sha256:<hex>`.
 */
export function computeCacheKey(
  definition: CacheDefinition,
  inputKeys: readonly string[],
  contentChecksum?: string,
): string {
  const body = canonicalJson({ schema: KEY_SCHEMA, definition, inputs: inputKeys, content: contentChecksum });
  return `sha256:${sha256Hex(body)}`;
}
