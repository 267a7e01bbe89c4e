/** Text helpers for progress lines and history `created_by` entries. */

/** An instruction's source as one line: continuations joined, runs of blanks folded. */
export function oneLine(source: string): string {
  return source
    .replace(/[\\`]\r?\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A list printed as Go's `%q` (quoted) or `%v` (bare) does, as Docker's history shows it. */
export function goList(items: readonly string[], quoted = true): string {
  return `[${items.map((s) => (quoted ? JSON.stringify(s) : s)).join(' ')}]`;
}
