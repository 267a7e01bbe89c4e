/**
 * Shell wildcard patterns for `${VAR#pat}`, `${VAR%pat}` and `${VAR/pat/rep}`:
 * `*` is any run of characters, `?` one character (neither crosses a newline, as
 * Go's `.`), `\` escapes `*`, `?` and `\`. No bracket expressions, as in BuildKit.
 * Matching simulates the pattern as an automaton, so no input can make it slow.
 */
import { ExpandFailure } from './failure.ts';

/** `skip` is an internal star that also crosses newlines, for unanchored searches. */
type Token =
  | { readonly kind: 'star' | 'skip' }
  | { readonly kind: 'any' }
  | { readonly kind: 'char'; readonly ch: string };

function tokenize(pattern: string): Token[] {
  const chars = Array.from(pattern);
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    if (ch === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (ch === '?') tokens.push({ kind: 'any' });
    else if (ch === '\\') {
      const next = chars[i + 1];
      // `\}` and `\/` only protect the ${} syntax; the escape is not part of the pattern.
      if (next === '}' || next === '/') continue;
      if (next !== '*' && next !== '?' && next !== '\\') {
        throw new ExpandFailure(
          `invalid pattern (${pattern}) in substitution: invalid escape '\\${next ?? ''}'`,
        );
      }
      tokens.push({ kind: 'char', ch: next });
      i++;
    } else tokens.push({ kind: 'char', ch });
  }
  return tokens;
}

/** Adds the states reachable without consuming a character (a star may match nothing). */
function close(states: Uint8Array, tokens: readonly Token[]): void {
  for (let k = 0; k < tokens.length; k++) {
    const kind = tokens[k]?.kind;
    if (states[k] === 1 && (kind === 'star' || kind === 'skip')) states[k + 1] = 1;
  }
}

/** Every j such that chars[start, j) matches the whole pattern, in increasing order. */
function matchEnds(tokens: readonly Token[], chars: readonly string[], start: number): number[] {
  const accept = tokens.length;
  let states = new Uint8Array(accept + 1);
  states[0] = 1;
  close(states, tokens);
  const ends = states[accept] === 1 ? [start] : [];
  for (let j = start; j < chars.length; j++) {
    const ch = chars[j] ?? '';
    const next = new Uint8Array(accept + 1);
    let alive = false;
    for (let k = 0; k < accept; k++) {
      const token = tokens[k];
      if (states[k] !== 1 || token === undefined) continue;
      if (token.kind === 'skip' || (token.kind === 'star' && ch !== '\n')) next[k] = 1;
      else if (token.kind === 'any' && ch !== '\n') next[k + 1] = 1;
      else if (token.kind === 'char' && token.ch === ch) next[k + 1] = 1;
      else continue;
      alive = true;
    }
    if (!alive) break;
    close(next, tokens);
    states = next;
    if (states[accept] === 1) ends.push(j + 1);
  }
  return ends;
}

function trimPrefixOf(tokens: readonly Token[], chars: readonly string[], greedy: boolean): string {
  const ends = matchEnds(tokens, chars, 0);
  const cut = greedy ? ends.at(-1) : ends[0];
  return chars.slice(cut ?? 0).join('');
}

export function trimPatternPrefix(pattern: string, value: string, greedy: boolean): string {
  return trimPrefixOf(tokenize(pattern), Array.from(value), greedy);
}

/** The shortest (or longest) suffix is the shortest (or longest) prefix of the reversed value. */
export function trimPatternSuffix(pattern: string, value: string, greedy: boolean): string {
  const reversed = tokenize(pattern).reverse();
  return Array.from(trimPrefixOf(reversed, Array.from(value).reverse(), greedy))
    .reverse()
    .join('');
}

/**
 * `${VAR/pat/rep}` and `${VAR//pat/rep}`: the leftmost longest match is replaced
 * (every non-overlapping one with `all`; an empty match right after a match is skipped, as in Go).
 */
export function substitutePattern(pattern: string, value: string, replacement: string, all: boolean): string {
  const tokens = tokenize(pattern);
  const chars = Array.from(value);
  // One unanchored pass first: most substitutions find nothing and need no per-position search.
  if (tokens.length > 0 && matchEnds([{ kind: 'skip' }, ...tokens], chars, 0).length === 0) return value;
  let out = '';
  let lastEnd = -1;
  for (let i = 0; i <= chars.length; ) {
    const end = matchEnds(tokens, chars, i).at(-1);
    if (end === undefined || (end === i && i === lastEnd)) {
      out += chars[i] ?? '';
      i++;
      continue;
    }
    out += replacement;
    lastEnd = end;
    if (!all) return out + chars.slice(end).join('');
    if (end === i) out += chars[i] ?? '';
    i = end === i ? i + 1 : end;
  }
  return out;
}
