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

const goSpace = new RegExp(`^[${GO_SPACE_CLASS}]$`);
const leadingGoSpace = new RegExp(`^[${GO_SPACE_CLASS}]+`);
const trailingGoSpace = new RegExp(`[${GO_SPACE_CLASS}]+$`);

export function isGoSpace(ch: string): boolean {
  return goSpace.test(ch);
}

export function trimLeftGoSpace(text: string): string {
  return text.replace(leadingGoSpace, '');
}

export function trimRightGoSpace(text: string): string {
  return text.replace(trailingGoSpace, '');
}

/** Go's strings.TrimSpace. */
export function trimGoSpace(text: string): string {
  return trimRightGoSpace(trimLeftGoSpace(text));
}
