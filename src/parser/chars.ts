/**
 * Character classes shared by the parser stages. Docker's parser is written in
 * Go, so "whitespace" means Go's unicode.IsSpace, which differs from JavaScript's
 * `\s` (Go includes U+0085, JavaScript includes U+FEFF).
 */

/** Body of a regex character class matching Go's unicode.IsSpace. */
export const GO_SPACE_CLASS =
  '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** Body of a character class for Go's `[\t\v\f\r ]` (the `reWhitespace` Docker splits on). */
export const FIELD_SPACE_CLASS = '\\t\\v\\f\\r ';

const GO_SPACES = new Set([
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  ' ',
  '\u0085',
  '\u00a0',
  '\u1680',
  ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
]);

export function isGoSpace(ch: string): boolean {
  return GO_SPACES.has(ch);
}

// Trimming walks the string instead of using `[...]+$`, which is quadratic on long runs of spaces.
export function trimLeftGoSpace(text: string): string {
  let start = 0;
  while (start < text.length && GO_SPACES.has(text[start] ?? '')) start++;
  return text.slice(start);
}

export function trimRightGoSpace(text: string): string {
  let end = text.length;
  while (end > 0 && GO_SPACES.has(text[end - 1] ?? '')) end--;
  return text.slice(0, end);
}

/** Go's strings.TrimSpace. */
export function trimGoSpace(text: string): string {
  return trimRightGoSpace(trimLeftGoSpace(text));
}
