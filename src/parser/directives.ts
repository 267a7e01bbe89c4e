/**
 * Parser directives (`# syntax=`, `# escape=`, `# check=`). Docker only looks
 * for them in the leading comment lines: the first line that is not a known
 * directive (an instruction, an empty line, any other comment, an unknown
 * directive) ends the search, and each directive may appear once.
 */
import type { Directive } from './ast.ts';

// Go's `\s` is [\t\n\f\r ]: no vertical tab, no Unicode spaces. Trailing space is trimmed
// before matching (a lazy `(.+?)\s*$` would be quadratic on long lines).
const DIRECTIVE = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+)$/;
const GO_REGEX_SPACE = new Set(['\t', '\n', '\f', '\r', ' ']);

function trimRegexSpace(line: string): string {
  let end = line.length;
  while (end > 0 && GO_REGEX_SPACE.has(line[end - 1] ?? '')) end--;
  return line.slice(0, end);
}
const KNOWN = new Set<Directive['name']>(['syntax', 'escape', 'check']);

export type DirectiveOutcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'directive'; readonly name: Directive['name']; readonly value: string }
  | { readonly kind: 'error'; readonly message: string; readonly hint: string };

export interface DirectiveScanner {
  /** Looks at one (left-trimmed) leading line; after the first non-directive it always answers 'none'. */
  scan(line: string): DirectiveOutcome;
}

const isKnown = (name: string): name is Directive['name'] => KNOWN.has(name as Directive['name']);

export function createDirectiveScanner(): DirectiveScanner {
  let done = false;
  const seen = new Set<string>();
  return {
    scan(line) {
      if (done) return { kind: 'none' };
      const match = DIRECTIVE.exec(trimRegexSpace(line));
      const name = match?.[1]?.toLowerCase();
      if (match === null || name === undefined || !isKnown(name)) {
        done = true;
        return { kind: 'none' };
      }
      if (seen.has(name)) {
        return {
          kind: 'error',
          message: `only one ${name} parser directive can be used`,
          hint: `remove the repeated "# ${name}=" line`,
        };
      }
      seen.add(name);
      const value = match[2] ?? '';
      if (name === 'escape' && value !== '\\' && value !== '`') {
        return {
          kind: 'error',
          message: `invalid escape token '${value}' does not match \` or \\`,
          hint: 'use "# escape=\\" (the default) or "# escape=`"',
        };
      }
      return { kind: 'directive', name, value };
    },
  };
}
