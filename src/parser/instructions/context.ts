/**
 * What an instruction builder gets: the keyword, decoded flags, the argument
 * text with its position, heredoc bodies, and a way to report located errors.
 * Offsets are indexes into the logical line; the caller maps them to the source.
 */
import type { Heredoc, Instruction, Range, RawFlag } from '../ast.ts';
import type { Piece } from '../syntax/visitor.ts';

/** The InstructionBase fields every builder copies into its result. */
export interface InstructionHead {
  readonly keyword: string;
  readonly source: string;
  readonly flags: readonly RawFlag[];
  readonly range: Range;
}

export interface BuildContext {
  readonly head: InstructionHead;
  /** The arguments after the flags, trimmed; '' when there are none. */
  readonly args: Piece;
  readonly escape: '\\' | '`';
  readonly heredocs: readonly Heredoc[];
  /** Reports an error at [start, end) of the logical line (defaults to the arguments). */
  error(message: string, at?: { readonly start: number; readonly end: number }, hint?: string): void;
  /** Reports an error at a source range (a flag's). */
  errorAt(range: Range, message: string, hint?: string): void;
  /** Builds a nested instruction (ONBUILD's trigger) from a sub-range of the line. */
  nested(args: Piece): Instruction | undefined;
}

export type InstructionBuilder = (ctx: BuildContext) => Instruction | undefined;

/** Shifts pieces read from `base.text` into the coordinates of the line `base` came from. */
export const shift = (pieces: readonly Piece[], base: Piece): Piece[] =>
  pieces.map((p) => ({ text: p.text, start: p.start + base.start, end: p.end + base.start }));
