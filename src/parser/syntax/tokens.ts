/**
 * Chevrotain tokens and the multi-mode lexer for one logical instruction line.
 * Modes mirror how Docker reads a line: the keyword, then `--flags`, then the
 * rest, which each instruction reads in its own way (JSON array, quote-aware
 * words, or plain whitespace-separated fields).
 */
import { createToken, Lexer, type TokenType } from 'chevrotain';
import { FIELD_SPACE_CLASS, GO_SPACE_CLASS } from '../chars.ts';

const WS = GO_SPACE_CLASS;

export const Whitespace = createToken({
  name: 'Whitespace',
  pattern: new RegExp(`[${WS}]+`),
  line_breaks: true,
});

/** The instruction keyword: Docker splits it off at `[\t\v\f\r ]`, not at every Unicode space. */
export const Keyword = createToken({
  name: 'Keyword',
  pattern: new RegExp(`[^${FIELD_SPACE_CLASS}]+`),
  push_mode: 'flags',
});

/** A bare `--` ends the flags; what follows is arguments even if it starts with `--`. */
export const FlagEnd = createToken({
  name: 'FlagEnd',
  pattern: new RegExp(`--(?![^${WS}])`),
  push_mode: 'rest',
});

/**
 * A `--name[=value]` word. Quotes group (and are removed later), and a backslash
 * escapes the next character, exactly as Docker's flag extraction reads them.
 */
export const Flag = createToken({
  name: 'Flag',
  pattern: new RegExp(`--(?:[^${WS}'"\\\\]|\\\\[^]?|"(?:[^"\\\\]|\\\\[^]?)*"?|'(?:[^'\\\\]|\\\\[^]?)*'?)*`),
  line_breaks: true,
});

/** Everything after the flags, taken verbatim. */
export const Rest = createToken({ name: 'Rest', pattern: new RegExp(`[^${WS}][^]*`), line_breaks: true });

export const LBracket = createToken({ name: 'LBracket', pattern: '[' });
export const RBracket = createToken({ name: 'RBracket', pattern: ']' });
export const LCurly = createToken({ name: 'LCurly', pattern: '{' });
export const RCurly = createToken({ name: 'RCurly', pattern: '}' });
export const Comma = createToken({ name: 'Comma', pattern: ',' });
export const Colon = createToken({ name: 'Colon', pattern: ':' });
export const JsonString = createToken({
  name: 'JsonString',
  pattern: /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/,
});
export const JsonNumber = createToken({
  name: 'JsonNumber',
  pattern: /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/,
});
export const JsonTrue = createToken({ name: 'JsonTrue', pattern: 'true' });
export const JsonFalse = createToken({ name: 'JsonFalse', pattern: 'false' });
export const JsonNull = createToken({ name: 'JsonNull', pattern: 'null' });
/** JSON's own whitespace: four characters only. */
const JsonSpace = createToken({
  name: 'JsonSpace',
  pattern: /[ \t\n\r]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

/** A plain field for FROM, EXPOSE and shell-form COPY/ADD/VOLUME: no quote handling at all. */
export const FieldSep = createToken({ name: 'FieldSep', pattern: new RegExp(`[${FIELD_SPACE_CLASS}]+`) });
export const Field = createToken({ name: 'Field', pattern: new RegExp(`[^${FIELD_SPACE_CLASS}]+`) });

/**
 * A quote-aware word for ENV, LABEL and ARG. Quotes and escapes stay in the
 * word (expansion removes them later). Inside single quotes the escape character
 * is literal. An escape character at the very end escapes nothing and is dropped,
 * so it is its own token.
 */
function wordTokens(escapeChar: '\\' | '`', suffix: string): readonly [TokenType, TokenType] {
  const e = escapeChar === '\\' ? '\\\\' : '`';
  const word = createToken({
    name: `Word${suffix}`,
    pattern: new RegExp(`(?:[^${WS}'"${e}]|${e}[^]|"(?:[^"${e}]|${e}[^])*"?|'[^']*'?)+`),
    line_breaks: true,
  });
  // Only reached when Word cannot take the escape, i.e. when nothing follows it.
  const dangling = createToken({ name: `DanglingEscape${suffix}`, pattern: escapeChar });
  return [word, dangling];
}

export const [Word, DanglingEscape] = wordTokens('\\', '');
export const [WordBacktick, DanglingEscapeBacktick] = wordTokens('`', 'Backtick');

const modes = {
  line: [Whitespace, Keyword],
  flags: [Whitespace, FlagEnd, Flag, Rest],
  rest: [Whitespace, Rest],
  json: [
    JsonSpace,
    LBracket,
    RBracket,
    LCurly,
    RCurly,
    Comma,
    Colon,
    JsonString,
    JsonNumber,
    JsonTrue,
    JsonFalse,
    JsonNull,
  ],
  fields: [FieldSep, Field],
  words: [Whitespace, Word, DanglingEscape],
  wordsBacktick: [Whitespace, WordBacktick, DanglingEscapeBacktick],
} satisfies Record<string, TokenType[]>;

/** The grammar's vocabulary: every token of every mode. */
export const allTokens: readonly TokenType[] = [...new Set(Object.values(modes).flat())];

/**
 * Chevrotain checks a grammar's definition when it is built: a fifth of the parser's start-up (~5 ms).
 * The grammar is fixed and checked whenever the tests run, so production builds (the bundled CLI
 * defines NODE_ENV) skip the checks.
 */
export const skipValidations = process.env.NODE_ENV === 'production';

export const lineLexer = new Lexer(
  { modes, defaultMode: 'line' },
  // Positions are offsets into the logical line; line/column come from the source map.
  { positionTracking: 'onlyOffset', ensureOptimizations: false, skipValidations },
);
