// biome-ignore-all lint/correctness/noComponentHookFactories: Chevrotain alternatives are `{ ALT }` objects, not React components.
/**
 * The Chevrotain grammar for one logical instruction line and for the argument
 * shapes Docker recognises: JSON arrays, quote-aware words and plain fields.
 * Rules are class properties; a single instance is built once and reused.
 */
import { type CstNode, CstParser, type IToken } from 'chevrotain';
import {
  allTokens,
  Colon,
  Comma,
  DanglingEscape,
  DanglingEscapeBacktick,
  Field,
  FieldSep,
  Flag,
  FlagEnd,
  JsonFalse,
  JsonNull,
  JsonNumber,
  JsonString,
  JsonTrue,
  Keyword,
  LBracket,
  LCurly,
  RBracket,
  RCurly,
  Rest,
  skipValidations,
  Whitespace,
  Word,
  WordBacktick,
} from './tokens.ts';

export class DockerfileLineParser extends CstParser {
  constructor() {
    super([...allTokens], { recoveryEnabled: false, maxLookahead: 1, skipValidations });
    this.performSelfAnalysis();
  }

  /** KEYWORD [--flag ...] [--] [rest] */
  readonly instructionLine = this.RULE('instructionLine', () => {
    this.OPTION(() => this.CONSUME(Whitespace));
    this.CONSUME(Keyword);
    this.MANY(() =>
      this.OR([
        { ALT: () => this.CONSUME2(Whitespace) },
        { ALT: () => this.CONSUME(Flag) },
        { ALT: () => this.CONSUME(FlagEnd) },
      ]),
    );
    this.OPTION2(() => this.CONSUME(Rest));
  });

  readonly jsonArray: () => CstNode = this.RULE('jsonArray', () => {
    this.CONSUME(LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.jsonValue);
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.jsonValue);
      });
    });
    this.CONSUME(RBracket);
  });

  readonly jsonObject: () => CstNode = this.RULE('jsonObject', () => {
    this.CONSUME(LCurly);
    this.OPTION(() => {
      this.SUBRULE(this.jsonPair);
      this.MANY(() => {
        this.CONSUME(Comma);
        this.SUBRULE2(this.jsonPair);
      });
    });
    this.CONSUME(RCurly);
  });

  readonly jsonPair: () => CstNode = this.RULE('jsonPair', () => {
    this.CONSUME(JsonString);
    this.CONSUME(Colon);
    this.SUBRULE(this.jsonValue);
  });

  readonly jsonValue: () => CstNode = this.RULE('jsonValue', () => {
    this.OR([
      { ALT: () => this.CONSUME(JsonString) },
      { ALT: () => this.CONSUME(JsonNumber) },
      { ALT: () => this.CONSUME(JsonTrue) },
      { ALT: () => this.CONSUME(JsonFalse) },
      { ALT: () => this.CONSUME(JsonNull) },
      { ALT: () => this.SUBRULE(this.jsonObject) },
      { ALT: () => this.SUBRULE(this.jsonArray) },
    ]);
  });

  /** Quote-aware words (ENV, LABEL, ARG), in either escape flavour. */
  readonly wordList = this.RULE('wordList', () => {
    this.MANY(() =>
      this.OR([
        { ALT: () => this.CONSUME(Whitespace) },
        { ALT: () => this.CONSUME(Word) },
        { ALT: () => this.CONSUME(WordBacktick) },
        { ALT: () => this.CONSUME(DanglingEscape) },
        { ALT: () => this.CONSUME(DanglingEscapeBacktick) },
      ]),
    );
  });

  /** Plain whitespace-separated fields. */
  readonly fieldList = this.RULE('fieldList', () => {
    this.MANY(() => this.OR([{ ALT: () => this.CONSUME(FieldSep) }, { ALT: () => this.CONSUME(Field) }]));
  });
}

/** The one parser instance; Chevrotain parsers are reusable by resetting `input`. */
export const lineParser = new DockerfileLineParser();

export type { IToken };
