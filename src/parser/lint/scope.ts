/**
 * What checks need to know about variables: the global ARG values FROM lines see,
 * FROM images with those defaults applied, and the names a word references.
 * Computed once per lint run.
 */
import type { ArgInstruction } from '../ast.ts';
import { expandWord } from '../expand/expand.ts';

/** Platform ARGs BuildKit defines for FROM lines, with stand-in values for evaluating defaults. */
export const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['BUILDPLATFORM', 'linux/amd64'],
  ['BUILDOS', 'linux'],
  ['BUILDARCH', 'amd64'],
  ['BUILDVARIANT', ''],
  ['TARGETPLATFORM', 'linux/amd64'],
  ['TARGETOS', 'linux'],
  ['TARGETARCH', 'amd64'],
  ['TARGETVARIANT', ''],
]);

/** Global ARG names and their default values, each expanded with the ARGs before it (unset without a default). */
export function globalArgValues(
  globalArgs: readonly ArgInstruction[],
  escapeChar: '\\' | '`',
): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  const lookup = (name: string): string | undefined => (out.has(name) ? out.get(name) : PREDEFINED.get(name));
  for (const arg of globalArgs) {
    for (const a of arg.args) {
      let value = a.defaultValue;
      try {
        if (value !== undefined) value = expandWord(value, lookup, { escape: escapeChar });
      } catch {
        // Left as written: the build reports malformed defaults.
      }
      out.set(a.name, value);
    }
  }
  return out;
}

/** FROM images with global ARG defaults (and the platform stand-ins) substituted; as written if that fails. */
export function createImageResolver(
  values: ReadonlyMap<string, string | undefined>,
  escapeChar: '\\' | '`',
): (image: string) => string {
  const lookup = (name: string): string | undefined =>
    values.has(name) ? values.get(name) : PREDEFINED.get(name);
  const cache = new Map<string, string>();
  return (image) => {
    let resolved = cache.get(image);
    if (resolved === undefined) {
      try {
        resolved = expandWord(image, lookup, { escape: escapeChar });
      } catch {
        resolved = image;
      }
      cache.set(image, resolved);
    }
    return resolved;
  };
}

/** Names referenced by a word, or none when the word does not expand. */
export function references(word: string, escapeChar: '\\' | '`'): string[] {
  const names: string[] = [];
  try {
    expandWord(word, () => undefined, { escape: escapeChar, onVariable: (name) => names.push(name) });
  } catch {
    // A malformed word is the build's error to report, not a lint finding.
  }
  return names;
}
