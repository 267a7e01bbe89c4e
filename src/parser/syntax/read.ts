/**
 * Entry points that run lexer -> grammar -> visitor for one piece of text in a
 * given mode. Offsets in the results are relative to the text passed in.
 */
import { lineParser } from './grammar.ts';
import { lineLexer } from './tokens.ts';
import { type JsonArray, type LineParts, lineVisitor, type Piece } from './visitor.ts';

/** Nesting beyond this is treated as invalid JSON instead of recursing (Go stops at 10000). */
const MAX_JSON_DEPTH = 200;

export function readInstructionLine(text: string): LineParts | undefined {
  const lexed = lineLexer.tokenize(text, 'line');
  if (lexed.errors.length > 0) return undefined;
  lineParser.input = lexed.tokens;
  const cst = lineParser.instructionLine();
  if (lineParser.errors.length > 0) return undefined;
  return lineVisitor.visit(cst) as LineParts;
}

/**
 * Reads `text` as Docker's JSON form. Undefined means "not a JSON array" (the
 * instruction falls back to shell form); a valid array of non-strings is reported.
 */
export function readJsonArray(text: string): JsonArray | undefined {
  if (!text.startsWith('[')) return undefined;
  const lexed = lineLexer.tokenize(text, 'json');
  if (lexed.errors.length > 0) return undefined;
  let depth = 0;
  for (const token of lexed.tokens) {
    const image = token.image;
    if (image === '[' || image === '{') depth++;
    else if (image === ']' || image === '}') depth--;
    if (depth > MAX_JSON_DEPTH) return undefined;
  }
  lineParser.input = lexed.tokens;
  const cst = lineParser.jsonArray();
  if (lineParser.errors.length > 0) return undefined;
  return lineVisitor.visit(cst) as JsonArray;
}

/** Quote-aware words, quotes and escapes kept (ENV, LABEL, ARG). */
export function readWords(text: string, escapeChar: '\\' | '`'): Piece[] {
  const lexed = lineLexer.tokenize(text, escapeChar === '\\' ? 'words' : 'wordsBacktick');
  lineParser.input = lexed.tokens;
  return lineVisitor.visit(lineParser.wordList()) as Piece[];
}

/** Fields split at `[\t\v\f\r ]` with no quote handling (FROM, EXPOSE, shell-form COPY/ADD/VOLUME). */
export function readFields(text: string): Piece[] {
  const lexed = lineLexer.tokenize(text, 'fields');
  lineParser.input = lexed.tokens;
  return lineVisitor.visit(lineParser.fieldList()) as Piece[];
}
