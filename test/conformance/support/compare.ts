/**
 * Compares what two engines built: the image config, the history and the
 * root filesystem. Every normalisation applied here is one of BuildKit's
 * known cosmetic differences and is listed in docs/conformance.md; anything
 * else that differs is reported as a difference line.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ArchiveConfig, FsEntry, RootFs, SavedImage } from './archive.ts';

/** Config fields compared besides `config` itself (timestamps and diff_ids are not). */
const TOP_LEVEL = ['author', 'architecture', 'os', 'variant'] as const;

/** Keys sorted, and (N3) null members dropped: Go writes `"OnBuild": null` where others omit the field. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== null)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

/** Go's `strconv.QuoteRune` output (`'\x03'`, `'A'`) back to its number. */
function unquoteRune(text: string): number {
  const body = text.slice(1, -1);
  const hex = /^\\(?:x|u|U)([0-9a-fA-F]+)$/.exec(body);
  if (hex !== null) return Number.parseInt(hex[1]!, 16);
  const escapes: Record<string, number> = { '\\a': 7, '\\b': 8, '\\f': 12, '\\n': 10, '\\r': 13, '\\t': 9 };
  return escapes[body] ?? body.codePointAt(0) ?? 0;
}

/**
 * N2: BuildKit before v0.13 (docker 20.10) wrote HEALTHCHECK history as Go's
 * `%q` of a struct pointer, `&{["CMD" "x"] "5s" "0s" "0s" '\x03'}`; current
 * BuildKit writes `%+v`, `{Test:[CMD x] Interval:5s ... Retries:3}`. The old
 * form is rewritten into the new one (it has no start interval: 0s).
 */
export function modernHealthcheckHistory(createdBy: string): string {
  const m = /^HEALTHCHECK &\{\[(.*)\] "([^"]*)" "([^"]*)" "([^"]*)" ('(?:[^'\\]|\\[^']+)')\}$/.exec(
    createdBy,
  );
  if (m === null) return createdBy;
  const test = (JSON.parse(`[${m[1]!.replace(/" "/g, '", "')}]`) as string[]).join(' ');
  const retries = unquoteRune(m[5]!);
  return `HEALTHCHECK {Test:[${test}] Interval:${m[2]} Timeout:${m[3]} StartPeriod:${m[4]} StartInterval:0s Retries:${retries}}`;
}

/**
 * N4: BuildKit before v0.10 left --chown, --chmod and --parents out of COPY/ADD
 * history; current BuildKit writes them. They are dropped on both sides.
 */
export function withoutCopyFlags(createdBy: string): string {
  if (!/^(COPY|ADD) /.test(createdBy)) return createdBy;
  return createdBy.replace(/ --(chown|chmod)=\S+| --parents/g, '');
}

export interface HistoryLine {
  readonly createdBy: string;
  readonly emptyLayer: boolean;
  readonly comment?: string;
}

export function historyLines(config: ArchiveConfig): HistoryLine[] {
  return (config.history ?? []).map((h) => ({
    createdBy: withoutCopyFlags(modernHealthcheckHistory(String(h.created_by ?? ''))),
    emptyLayer: h.empty_layer === true,
    ...(typeof h.comment === 'string' && { comment: h.comment }),
  }));
}

function describeEntry(e: FsEntry): string {
  const mode = e.mode.toString(8).padStart(4, '0');
  const parts = [`${e.type} ${mode} ${e.uid}:${e.gid}`];
  if (e.type === 'file') parts.push(`${e.size}B sha256:${e.sha256?.slice(0, 12)}`);
  if (e.link !== undefined) parts.push(`-> ${e.link}`);
  if (e.xattrs !== undefined) parts.push(`xattrs ${JSON.stringify(sortKeys(e.xattrs))}`);
  return parts.join(' ');
}

export function compareRootfs(a: RootFs, b: RootFs, names: readonly [string, string]): string[] {
  const out: string[] = [];
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const path of paths) {
    const x = a.get(path);
    const y = b.get(path);
    if (x === undefined) out.push(`rootfs ${path}: only in ${names[1]} (${describeEntry(y!)})`);
    else if (y === undefined) out.push(`rootfs ${path}: only in ${names[0]} (${describeEntry(x)})`);
    else if (!isDeepStrictEqual(x, y)) {
      out.push(`rootfs ${path}: ${names[0]} ${describeEntry(x)} / ${names[1]} ${describeEntry(y)}`);
    }
  }
  return out;
}

export function compareConfig(
  a: ArchiveConfig,
  b: ArchiveConfig,
  names: readonly [string, string],
): string[] {
  const out: string[] = [];
  const ca = sortKeys(a.config ?? {}) as Record<string, unknown>;
  const cb = sortKeys(b.config ?? {}) as Record<string, unknown>;
  for (const key of [...new Set([...Object.keys(ca), ...Object.keys(cb)])].sort()) {
    if (!isDeepStrictEqual(ca[key], cb[key])) {
      out.push(
        `config.${key}: ${names[0]} ${JSON.stringify(ca[key])} / ${names[1]} ${JSON.stringify(cb[key])}`,
      );
    }
  }
  for (const key of TOP_LEVEL) {
    if (a[key] !== b[key]) out.push(`${key}: ${names[0]} ${a[key]} / ${names[1]} ${b[key]}`);
  }
  return out;
}

export function compareHistory(
  a: ArchiveConfig,
  b: ArchiveConfig,
  names: readonly [string, string],
): string[] {
  const ha = historyLines(a);
  const hb = historyLines(b);
  const out: string[] = [];
  const show = (h: HistoryLine | undefined) =>
    h === undefined ? '(none)' : `${JSON.stringify(h.createdBy)}${h.emptyLayer ? ' (empty)' : ''}`;
  for (let i = 0; i < Math.max(ha.length, hb.length); i++) {
    if (!isDeepStrictEqual(ha[i], hb[i])) {
      out.push(`history[${i}]: ${names[0]} ${show(ha[i])} / ${names[1]} ${show(hb[i])}`);
    }
  }
  return out;
}

export type Aspect = 'config' | 'history' | 'rootfs';

export function compareImages(
  a: SavedImage,
  b: SavedImage,
  aspects: readonly Aspect[],
  names: readonly [string, string] = ['docker', 'tsbuild'],
): string[] {
  return [
    ...(aspects.includes('config') ? compareConfig(a.config, b.config, names) : []),
    ...(aspects.includes('history') ? compareHistory(a.config, b.config, names) : []),
    ...(aspects.includes('rootfs') ? compareRootfs(a.rootfs, b.rootfs, names) : []),
  ];
}
