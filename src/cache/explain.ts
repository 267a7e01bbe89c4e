import type { ContentManifest, ContextEntry } from './content.ts';
import { type CacheDefinition, canonicalJson } from './key.ts';
import type { CacheRecord, CacheStore } from './records.ts';

/** The step that missed, as the op knows it when it asks why. */
export interface MissQuery {
  readonly definition: CacheDefinition;
  readonly inputKeys: readonly string[];
  /** COPY/ADD: the checksum's manifest. */
  readonly content?: ContentManifest;
  readonly slot?: string;
  /** Prefix of the answer, e.g. `COPY . /app`. */
  readonly description?: string;
}

/** Definition fields whose values are `NAME=value` lists, compared by name. */
const NAMED_LISTS: Readonly<Record<string, string>> = { env: 'ENV', args: 'ARG', buildArgs: 'ARG' };

/** Records looked at per miss, newest first: enough to find the last build of the step. */
const MAX_CANDIDATES = 32;

/**
 * Why a step missed: the first input that differs from the nearest record (same inputs, or the
 * same slot), e.g. `COPY . /app: src/main.ts content changed`, `RUN make: ARG VERSION 1.2 → 1.3`,
 * or `no cache record`. The nearest record is the one with the fewest differences.
 */
export async function explainMiss(store: CacheStore, query: MissQuery): Promise<string> {
  const prefix = query.description === undefined ? '' : `${query.description}: `;
  const keys = await store.candidates({
    inputKeys: query.inputKeys,
    ...(query.slot !== undefined && { slot: query.slot }),
  });
  const records = (await Promise.all(keys.map((key) => store.get(key))))
    .filter((record): record is CacheRecord => record !== undefined)
    .sort((a, b) => b.createdAt - a.createdAt)
    .slice(0, MAX_CANDIDATES);
  let best: string[] | undefined;
  for (const record of records) {
    const oldContent =
      record.contentDigest === undefined ? undefined : await store.content(record.contentDigest);
    const found = differences(record, oldContent, query);
    if (found.length > 0 && (best === undefined || found.length < best.length)) best = found;
  }
  return `${prefix}${best?.[0] ?? 'no cache record'}`;
}

function differences(
  record: CacheRecord,
  oldContent: ContentManifest | undefined,
  query: MissQuery,
): string[] {
  const out = definitionDifferences(asObject(record.definition), query.definition);
  if (query.content !== undefined && query.content.digest !== record.contentDigest) {
    out.push(
      ...(oldContent === undefined
        ? ['file contents changed']
        : contentDifferences(oldContent, query.content)),
    );
  }
  const oldInputs = record.inputKeys ?? [];
  if (oldInputs.length !== query.inputKeys.length) out.push('its inputs changed');
  else {
    const changed = query.inputKeys.findIndex((key, i) => key !== oldInputs[i]);
    // Input 0 is the step's parent; later ones are what it reads from (COPY --from, RUN --mount from=).
    if (changed >= 0)
      out.push(changed === 0 ? 'the previous step changed' : 'the stage or image it reads from changed');
  }
  return out;
}

function asObject(value: unknown): CacheDefinition {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as CacheDefinition)
    : {};
}

function definitionDifferences(before: CacheDefinition, after: CacheDefinition): string[] {
  const out: string[] = [];
  const names = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  for (const name of names) {
    const [a, b] = [before[name], after[name]];
    if (same(a, b)) continue;
    const label = NAMED_LISTS[name];
    if (label !== undefined) out.push(...namedListDifferences(label, a, b));
    else if (name === 'image') out.push(`base image changed (${short(a)} → ${short(b)})`);
    else if (a === undefined) out.push(`${name} ${show(b)} added`);
    else if (b === undefined) out.push(`${name} ${show(a)} removed`);
    else out.push(`${name} ${show(a)} → ${show(b)}`);
  }
  return out;
}

/** `ENV`/`ARG` lists as `NAME=value` strings or a name → value object. */
function namedListDifferences(label: string, before: unknown, after: unknown): string[] {
  const [a, b] = [toMap(before), toMap(after)];
  const out: string[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])]) {
    const [x, y] = [a.get(name), b.get(name)];
    if (x === y) continue;
    if (x === undefined) out.push(`${label} ${name}=${y} added`);
    else if (y === undefined) out.push(`${label} ${name} removed`);
    else out.push(`${label} ${name} ${x} → ${y}`);
  }
  return out.length > 0 ? out : [`${label} order changed`];
}

function toMap(value: unknown): Map<string, string> {
  if (Array.isArray(value)) {
    return new Map(
      value.map((item) => {
        const text = String(item);
        const eq = text.indexOf('=');
        return eq < 0 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
      }),
    );
  }
  return new Map(Object.entries(asObject(value)).map(([k, v]) => [k, String(v)]));
}

function contentDifferences(before: ContentManifest, after: ContentManifest): string[] {
  const old = new Map(before.entries.map((e) => [e.path, e]));
  const now = new Map(after.entries.map((e) => [e.path, e]));
  const out: string[] = [];
  for (const path of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const [a, b] = [old.get(path), now.get(path)];
    if (a === undefined) out.push(`${path} added`);
    else if (b === undefined) out.push(`${path} deleted`);
    else out.push(...entryChanges(a, b).map((change) => `${path} ${change}`));
  }
  return out.length > 0 ? out : ['file order changed'];
}

/** Every way an entry differs, so the nearest record is the one with the fewest differences. */
function entryChanges(a: ContextEntry, b: ContextEntry): string[] {
  if (a.type !== b.type) return [`changed from ${a.type} to ${b.type}`];
  const out: string[] = [];
  if (a.hash !== b.hash) out.push('content changed');
  if (a.target !== b.target) out.push(`symlink target ${a.target} → ${b.target}`);
  if (a.mode !== b.mode) out.push(`mode ${a.mode.toString(8)} → ${b.mode.toString(8)}`);
  if (a.uid !== b.uid || a.gid !== b.gid) out.push(`owner ${a.uid}:${a.gid} → ${b.uid}:${b.gid}`);
  if (!same(a.xattrs, b.xattrs)) out.push('extended attributes changed');
  if (a.dest !== b.dest) out.push(`destination ${a.dest} → ${b.dest}`);
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return a === undefined || b === undefined ? a === b : canonicalJson(a) === canonicalJson(b);
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function short(value: unknown): string {
  const text = String(value);
  return /^sha256:[0-9a-f]{64}$/.test(text) ? text.slice(0, 19) : text;
}
