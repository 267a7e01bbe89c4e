/**
 * The word processor behind Dockerfile variable expansion: quotes, escapes,
 * `$VAR` / `${VAR...}` substitution and word splitting, with the semantics of
 * BuildKit's shell lexer (what `docker build` does to ADD, COPY, ENV, FROM, ...
 * arguments). Not a shell: no command substitution, no globbing.
 */
import { isGoSpace } from '../chars.ts';
import { ExpandFailure } from './failure.ts';
import { substitutePattern, trimPatternPrefix, trimPatternSuffix } from './pattern.ts';

export interface ShellWordOptions {
  /** The Dockerfile escape character. */
  readonly escape: string;
  readonly lookup: (name: string) => string | undefined;
  /** Keep quote characters in the output (used to detect quoted heredoc delimiters). */
  readonly rawQuotes?: boolean;
  /** Keep escape characters in the output. */
  readonly rawEscapes?: boolean;
  /** Leave references to unset variables as written instead of expanding them to "". */
  readonly skipUnset?: boolean;
  /** Told about every variable lookup and whether the variable was set. */
  readonly onVariable?: (name: string, defined: boolean) => void;
}

export interface ShellWordResult {
  /** The whole input as one word. */
  readonly value: string;
  /** The input split into words; unquoted expansions split on whitespace. */
  readonly words: readonly string[];
}

const EOF = '';
/** Deeper `${…${…}…}` nesting than any real Dockerfile uses is refused. */
const MAX_NESTING = 1000;
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);
const letterOrDigit = /^[\p{L}\p{Nd}_]$/u;
const digit = /^\p{Nd}$/u;

interface Cursor {
  peek(): string;
  next(): string;
}

function createCursor(text: string): Cursor {
  let pos = 0;
  const at = (): string => {
    if (pos >= text.length) return EOF;
    const code = text.codePointAt(pos) ?? 0;
    return String.fromCodePoint(code);
  };
  return {
    peek: at,
    next() {
      const ch = at();
      pos += ch.length;
      return ch;
    },
  };
}

/** Collects words: characters from unquoted expansions split on whitespace, literal ones do not. */
function createWordCollector() {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  const raw = (text: string): void => {
    word += text;
    inWord = true;
  };
  const split = (ch: string): void => {
    if (!isGoSpace(ch)) raw(ch);
    else if (inWord && word.length > 0) {
      words.push(word);
      word = '';
      inWord = false;
    }
  };
  return {
    raw,
    split,
    splitAll(text: string) {
      for (const ch of text) split(ch);
    },
    finish(): string[] {
      if (word.length > 0) words.push(word);
      word = '';
      inWord = false;
      return words;
    },
  };
}

export function processShellWord(input: string, options: ShellWordOptions): ShellWordResult {
  const cursor = createCursor(input);
  const escapeChar = options.escape;
  const rawQuotes = options.rawQuotes === true;
  let rawEscapes = options.rawEscapes === true;
  let depth = 0;

  const getEnv = (name: string): string | undefined => {
    const value = options.lookup(name);
    options.onVariable?.(name, value !== undefined);
    return value;
  };

  const readName = (): string => {
    let name = '';
    for (let ch = cursor.peek(); ch !== EOF; ch = cursor.peek()) {
      if (name === '' && digit.test(ch)) {
        while (cursor.peek() !== EOF && digit.test(cursor.peek())) name += cursor.next();
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return cursor.next();
      if (!letterOrDigit.test(ch)) break;
      name += cursor.next();
    }
    return name;
  };

  const singleQuoted = (): string => {
    const open = cursor.next();
    let out = rawQuotes ? open : '';
    for (;;) {
      const ch = cursor.next();
      if (ch === EOF)
        throw new ExpandFailure('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return rawQuotes ? out + ch : out;
      out += ch;
    }
  };

  const doubleQuoted = (): string => {
    const open = cursor.next();
    let out = rawQuotes ? open : '';
    for (;;) {
      const ch = cursor.peek();
      if (ch === EOF)
        throw new ExpandFailure('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        cursor.next();
        return rawQuotes ? `${out}"` : out;
      }
      if (ch === '$') {
        out += dollar();
        continue;
      }
      let taken = cursor.next();
      if (taken === escapeChar) {
        if (rawEscapes) out += taken;
        const after = cursor.peek();
        // A trailing escape inside quotes is dropped; only ", $ and the escape itself can be escaped.
        if (after === EOF) continue;
        if (after === '"' || after === '$' || after === escapeChar) taken = cursor.next();
      }
      out += taken;
    }
  };

  const untilClosing = (stop: string, useRawEscapes: boolean, missing: string): string => {
    // Each level recurses: a hostile word nested 100,000 deep would overflow the stack.
    if (++depth > MAX_NESTING)
      throw new ExpandFailure(`substitutions nested deeper than ${MAX_NESTING} levels`);
    try {
      return processUntil(stop, useRawEscapes).value;
    } catch (error) {
      if (cursor.peek() === EOF) throw new ExpandFailure(missing);
      throw error;
    } finally {
      depth--;
    }
  };

  const dollar = (): string => {
    cursor.next();
    if (cursor.peek() !== '{') {
      const name = readName();
      if (name === '') return '$';
      const value = getEnv(name);
      if (value === undefined && options.skipUnset) return `$${name}`;
      return value ?? '';
    }
    cursor.next();
    const first = cursor.peek();
    if (first === EOF) throw new ExpandFailure("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':')
      throw new ExpandFailure('syntax error: bad substitution');
    const name = readName();
    let op = cursor.next();
    let opText = op;
    if (op === '}') {
      const value = getEnv(name);
      if (value === undefined && options.skipUnset) return `\${${name}}`;
      return value ?? '';
    }
    if (op === '/') return substitute(name);
    const nullIsUnset = op === ':';
    if (nullIsUnset) {
      op = cursor.next();
      opText += op;
    }
    const pattern = op === '#' || op === '%';
    // After `:` any operator is read before being rejected (as BuildKit does), so
    // skipUnset can still hand `${X:=y}` back untouched.
    if ((!nullIsUnset && !['+', '-', '?', '#', '%'].includes(op)) || (nullIsUnset && pattern)) {
      throw new ExpandFailure(`unsupported modifier (${opText}) in substitution`);
    }
    let word = untilClosing('}', pattern, "syntax error: missing '}'");
    const value = getEnv(name);
    if (value === undefined && options.skipUnset) return `\${${name}${opText}${word}}`;
    const empty = value === undefined || (nullIsUnset && value === '');
    switch (op) {
      case '-':
        return empty ? word : (value ?? '');
      case '+':
        return empty ? '' : word;
      case '?':
        if (value === undefined) throw new ExpandFailure(`${name}: ${word || 'is not allowed to be unset'}`);
        if (empty) throw new ExpandFailure(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      case '#':
      case '%': {
        // `%`/`#` take the shortest match, `%%`/`##` the longest.
        const greedy = word.startsWith(op);
        if (greedy) word = word.slice(1);
        return op === '%'
          ? trimPatternSuffix(word, value ?? '', greedy)
          : trimPatternPrefix(word, value ?? '', greedy);
      }
      default:
        throw new ExpandFailure(`unsupported modifier (${opText}) in substitution`);
    }
  };

  const substitute = (name: string): string => {
    const all = cursor.peek() === '/';
    if (all) cursor.next();
    const pattern = untilClosing('/', true, "syntax error: missing '/' in $" + '{}');
    const replacement = untilClosing('}', true, "syntax error: missing '}'");
    const value = getEnv(name);
    if (value === undefined && options.skipUnset) return `\${${name}/${pattern}/${replacement}}`;
    return substitutePattern(pattern, value ?? '', replacement, all);
  };

  const processUntil = (stop: string, useRawEscapes: boolean): ShellWordResult => {
    const saved = rawEscapes;
    rawEscapes = useRawEscapes;
    try {
      let value = '';
      const words = createWordCollector();
      for (let ch = cursor.peek(); ch !== EOF; ch = cursor.peek()) {
        if (stop !== EOF && ch === stop) {
          cursor.next();
          return { value, words: words.finish() };
        }
        if (ch === '$') {
          const expanded = dollar();
          value += expanded;
          words.splitAll(expanded);
          continue;
        }
        if (ch === "'" || ch === '"') {
          const quoted = ch === "'" ? singleQuoted() : doubleQuoted();
          value += quoted;
          words.raw(quoted);
          continue;
        }
        let taken = cursor.next();
        if (taken === escapeChar) {
          if (rawEscapes) {
            words.raw(taken);
            value += taken;
          }
          taken = cursor.next();
          // An escape at the very end escapes nothing and is dropped.
          if (taken === EOF) break;
          words.raw(taken);
        } else {
          words.split(taken);
        }
        value += taken;
      }
      if (stop !== EOF)
        throw new ExpandFailure(`unexpected end of statement while looking for matching ${stop}`);
      return { value, words: words.finish() };
    } finally {
      rawEscapes = saved;
    }
  };

  return processUntil(EOF, rawEscapes);
}
