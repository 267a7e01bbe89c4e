import { TsbuildError } from '../../errors.ts';

/**
 * One pattern of Docker's pattern matcher (moby/patternmatcher), the engine behind `.dockerignore`
 * and `COPY --exclude`: `*` and `?` never cross `/`, `**` crosses directories, `[...]` classes and
 * `\` escapes as in Go's filepath.Match, whose syntax errors are errors here too. Patterns made of
 * plain text (or a leading/trailing `**`) are compared as strings, exactly as Docker optimises
 * them, because those shortcuts are what users observe (e.g. `**file` also matches `dirfile`).
 */
export interface Pattern {
  readonly source: string;
  match(path: string): boolean;
}

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

export function compilePattern(cleaned: string): Pattern {
  validateGlob(cleaned);
  const chars = Array.from(cleaned);
  let regex = '^';
  let type: MatchType = 'exact';
  for (let i = 0, iteration = 0; i < chars.length; i++, iteration++) {
    const ch = chars[i]!;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        if (chars[i + 1] === '/') i++;
        if (i + 1 >= chars.length) {
          if (type === 'exact') type = 'prefix';
          else {
            regex += '[^\\n]*';
            type = 'regexp';
          }
        } else {
          regex += '(?:[^\\n]*/)?';
          type = 'regexp';
        }
        if (iteration === 0) type = 'suffix';
      } else {
        regex += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      regex += '[^/]';
      type = 'regexp';
    } else if (ch === '\\') {
      const next = chars[i + 1];
      if (next === undefined) regex += '\\\\';
      else {
        regex += literal(next);
        i++;
        type = 'regexp';
      }
    } else if (ch === '[') {
      const end = classEnd(chars, i);
      regex += classRegex(chars.slice(i + 1, end));
      i = end;
      type = 'regexp';
    } else {
      regex += literal(ch);
    }
  }
  return { source: cleaned, match: matcherFor(type, cleaned, `${regex}$`) };
}

function matcherFor(type: MatchType, cleaned: string, regex: string): (path: string) => boolean {
  switch (type) {
    case 'exact':
      return (path) => path === cleaned;
    case 'prefix': {
      const prefix = cleaned.slice(0, -2);
      return (path) => path.startsWith(prefix);
    }
    case 'suffix': {
      const suffix = cleaned.slice(2);
      return (path) => path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
    }
    case 'regexp': {
      const re = new RegExp(regex, 'u');
      return (path) => re.test(path);
    }
  }
}

function literal(ch: string): string {
  return `\\u{${ch.codePointAt(0)!.toString(16)}}`;
}

/** Index of the `]` closing the class opened at `open` (the pattern is already validated). */
function classEnd(chars: readonly string[], open: number): number {
  let i = open + 1;
  if (chars[i] === '^') i++;
  let ranges = 0;
  while (!(chars[i] === ']' && ranges > 0)) {
    if (chars[i] === '\\') i++;
    i++;
    if (chars[i] === '-') {
      i++;
      if (chars[i] === '\\') i++;
      i++;
    }
    ranges++;
  }
  return i;
}

function classRegex(body: readonly string[]): string {
  let i = 0;
  let out = '[';
  if (body[0] === '^') {
    out += '^';
    i++;
  }
  while (i < body.length) {
    if (body[i] === '\\') i++;
    const lo = body[i++]!;
    let hi = lo;
    if (body[i] === '-') {
      i++;
      if (body[i] === '\\') i++;
      hi = body[i++]!;
    }
    out += lo === hi ? literal(lo) : `${literal(lo)}-${literal(hi)}`;
  }
  return `${out}]`;
}

/** Go's filepath.Match syntax check: unterminated classes, empty ranges and trailing `\` fail. */
export function validateGlob(pattern: string): void {
  const chars = Array.from(pattern);
  const bad = (why: string): never => {
    throw new TsbuildError('CONTEXT', `invalid pattern "${pattern}": ${why}`, {
      hint: 'check brackets and backslashes in .dockerignore, --exclude or the COPY source',
    });
  };
  const escaped = (i: number): number => {
    let j = i;
    if (j >= chars.length || chars[j] === '-' || chars[j] === ']') bad('bad character range');
    if (chars[j] === '\\') {
      j++;
      if (j >= chars.length) bad('unterminated escape');
    }
    j++;
    if (j >= chars.length) bad('unterminated character class');
    return j;
  };
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '\\') {
      if (i + 1 >= chars.length) bad('trailing backslash');
      i++;
    } else if (ch === '[') {
      let j = i + 1;
      if (chars[j] === '^') j++;
      let ranges = 0;
      while (!(chars[j] === ']' && ranges > 0)) {
        j = escaped(j);
        if (chars[j] === '-') j = escaped(j + 1);
        ranges++;
      }
      i = j;
    }
  }
}

/**
 * Go's filepath.Match for COPY/ADD source wildcards: like a Docker pattern, but `**` is just two
 * stars (no directory crossing) and there are no string shortcuts.
 */
export function compileGlob(pattern: string): Pattern {
  validateGlob(pattern);
  const chars = Array.from(pattern);
  let regex = '^';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') regex += '[^/]*';
    else if (ch === '?') regex += '[^/]';
    else if (ch === '\\') regex += literal(chars[++i]!);
    else if (ch === '[') {
      const end = classEnd(chars, i);
      regex += classRegex(chars.slice(i + 1, end));
      i = end;
    } else regex += literal(ch);
  }
  const re = new RegExp(`${regex}$`, 'u');
  return { source: pattern, match: (path) => re.test(path) };
}

/** Whether a COPY source uses wildcards (an escaped character does not count). */
export function hasGlobMeta(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}
