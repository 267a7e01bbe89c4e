/**
 * Shell wildcard patterns for `${VAR#pat}`, `${VAR%pat}` and `${VAR/pat/rep}`:
 * `*` is any string, `?` one character, `\` escapes `*`, `?` and `\`. No bracket
 * expressions, as in BuildKit.
 */
import { ExpandFailure } from './failure.ts';

const REGEX_SPECIAL = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);

export function shellPatternRegex(
  pattern: string,
  greedy: boolean,
  anchored: boolean,
  global = false,
): RegExp {
  const chars = Array.from(pattern);
  let source = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] ?? '';
    // Go's `.` stops at newlines only.
    if (ch === '*') source += greedy ? '[^\\n]*' : '[^\\n]*?';
    else if (ch === '?') source += '[^\\n]';
    else if (ch === '\\') {
      const next = chars[i + 1];
      // `\}` and `\/` only protect the ${} syntax; the escape is not part of the pattern.
      if (next === '}' || next === '/') continue;
      if (next !== '*' && next !== '?' && next !== '\\') {
        throw new ExpandFailure(
          `invalid pattern (${pattern}) in substitution: invalid escape '\\${next ?? ''}'`,
        );
      }
      source += `\\${next}`;
      i++;
    } else source += REGEX_SPECIAL.has(ch) ? `\\${ch}` : ch;
  }
  return new RegExp(source, global ? 'gu' : 'u');
}

export function trimPatternPrefix(pattern: string, value: string, greedy: boolean): string {
  const match = shellPatternRegex(pattern, greedy, true).exec(value);
  return match ? value.slice(match[0].length) : value;
}

/** Reverses a pattern without separating an escape from the character it escapes. */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out: string[] = [];
  for (let i = 0; i < chars.length; ) {
    if (chars[i] === '\\' && i !== chars.length - 1) {
      out.unshift(`\\${chars[i + 1]}`);
      i += 2;
    } else {
      out.unshift(chars[i] ?? '');
      i++;
    }
  }
  return out.join('');
}

const reverse = (text: string): string => Array.from(text).reverse().join('');

/** The shortest (or longest) rightmost match is the leftmost match of the reversed pattern on the reversed value. */
export function trimPatternSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPatternPrefix(reversePattern(pattern), reverse(value), greedy));
}
