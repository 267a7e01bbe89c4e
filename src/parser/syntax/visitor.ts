/**
 * CST visitor: turns the grammar's concrete syntax trees into the small
 * structures the instruction builders read (keyword, flag tokens, argument
 * pieces with their offsets, decoded JSON arrays).
 */
import type { CstNode, IToken } from 'chevrotain';
import { lineParser } from './grammar.ts';

/** A piece of the lexed text with its [start, end) offsets in that text. */
export interface Piece {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

export interface LineParts {
  readonly keyword: Piece;
  /** `--flag` words as written, quotes included. */
  readonly flags: readonly Piece[];
  /** Everything after the flags, verbatim (trailing space included); undefined when empty. */
  readonly rest: Piece | undefined;
}

/** A JSON array that Docker accepts, or a valid JSON array holding something other than strings. */
export type JsonArray =
  | { readonly kind: 'strings'; readonly items: readonly Piece[] }
  | { readonly kind: 'not-strings'; readonly element: Piece };

type Children = Record<string, (CstNode | IToken)[] | undefined>;

const EMPTY: IToken[] = [];

/** The tokens of the named kinds in source order (a CST groups children by kind). */
function tokens(ctx: Children, first: string, second?: string): IToken[] {
  const a = (ctx[first] ?? EMPTY) as IToken[];
  if (second === undefined) return a;
  const b = (ctx[second] ?? EMPTY) as IToken[];
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...a, ...b].sort((x, y) => x.startOffset - y.startOffset);
}

const piece = (token: IToken, text = token.image): Piece => ({
  text,
  start: token.startOffset,
  end: token.startOffset + token.image.length,
});

function firstToken(node: CstNode): IToken {
  let first: IToken | undefined;
  for (const list of Object.values(node.children)) {
    for (const child of list) {
      const token = 'image' in child ? child : firstToken(child);
      if (first === undefined || token.startOffset < first.startOffset) first = token;
    }
  }
  if (first === undefined) throw new Error('empty CST node');
  return first;
}

function lastToken(node: CstNode): IToken {
  let last: IToken | undefined;
  for (const list of Object.values(node.children)) {
    for (const child of list) {
      const token = 'image' in child ? child : lastToken(child);
      if (last === undefined || token.startOffset > last.startOffset) last = token;
    }
  }
  if (last === undefined) throw new Error('empty CST node');
  return last;
}

const BaseVisitor = lineParser.getBaseCstVisitorConstructorWithDefaults();

class LineVisitor extends BaseVisitor {
  constructor() {
    super();
    this.validateVisitor();
  }

  instructionLine(ctx: Children): LineParts {
    const [keyword] = tokens(ctx, 'Keyword');
    const [rest] = tokens(ctx, 'Rest');
    if (keyword === undefined) throw new Error('instruction line without keyword');
    return {
      keyword: piece(keyword),
      flags: tokens(ctx, 'Flag').map((t) => piece(t)),
      rest: rest === undefined ? undefined : piece(rest),
    };
  }

  jsonArray(ctx: Children): JsonArray {
    const items: Piece[] = [];
    for (const value of (ctx.jsonValue ?? []) as CstNode[]) {
      const [str] = tokens(value.children as Children, 'JsonString');
      const start = firstToken(value);
      if (str === undefined) {
        const end = lastToken(value);
        return {
          kind: 'not-strings',
          element: { text: '', start: start.startOffset, end: end.startOffset + end.image.length },
        };
      }
      // Go's decoder turns lone surrogates into U+FFFD; JSON.parse keeps them.
      items.push(piece(str, (JSON.parse(str.image) as string).toWellFormed()));
    }
    return { kind: 'strings', items };
  }

  wordList(ctx: Children): Piece[] {
    return tokens(ctx, 'Word', 'WordBacktick').map((t) => piece(t));
  }

  fieldList(ctx: Children): Piece[] {
    return tokens(ctx, 'Field').map((t) => piece(t));
  }
}

export const lineVisitor = new LineVisitor();
