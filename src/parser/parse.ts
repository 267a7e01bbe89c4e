/**
 * parseDockerfile: logical lines (lines.ts) -> instruction head (Chevrotain
 * grammar) -> heredoc bodies -> typed instruction (instructions/). Never throws
 * on bad input: problems become located diagnostics and parsing goes on with
 * the next instruction.
 */
import type {
  Comment,
  Diagnostic,
  Directive,
  Dockerfile,
  Heredoc,
  Instruction,
  InstructionKind,
  ParseResult,
  Range,
  RawFlag,
} from './ast.ts';
import { trimLeftGoSpace, trimRightGoSpace } from './chars.ts';
import { ExpandFailure } from './expand/failure.ts';
import { decodeFlagWord, splitFlag } from './flags.ts';
import { chompHeredoc, findHeredocMarkers, type HeredocMarker } from './heredoc.ts';
import type { BuildContext } from './instructions/context.ts';
import { BUILDERS, HEREDOC_KINDS, KEYWORDS, kindOf } from './instructions/index.ts';
import { createLineReader, type LineReader, type LogicalLine, sourceSpan } from './lines.ts';
import { createSourceIndex, type SourceIndex } from './source-index.ts';
import { closestMatch } from './suggest.ts';
import { readInstructionLine, readJsonArray } from './syntax/read.ts';
import type { Piece } from './syntax/visitor.ts';

export interface ParseOptions {
  /**
   * File name as the user knows it. Diagnostics carry positions only; the name is
   * used by parseDockerfileOrThrow for the error location and by formatDiagnostic.
   */
  readonly file?: string;
}

interface Head {
  readonly keyword: Piece;
  readonly flags: readonly RawFlag[];
  readonly args: Piece;
}

interface Collector {
  readonly errors: Diagnostic[];
  readonly warnings: Diagnostic[];
  error(code: string, message: string, range: Range, hint?: string): void;
}

function createCollector(): Collector {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  return {
    errors,
    warnings,
    error(code, message, range, hint) {
      errors.push({ severity: 'error', code, message, range, ...(hint === undefined ? {} : { hint }) });
    },
  };
}

/** Trims Go whitespace from a piece of a logical line, keeping offsets right. */
function trimPiece(text: string, start: number): Piece {
  const left = trimLeftGoSpace(text);
  const trimmed = trimRightGoSpace(left);
  const from = start + (text.length - left.length);
  return { text: trimmed, start: from, end: from + trimmed.length };
}

/** Splits `KEYWORD --flags args` read from `text`, which starts at logical offset `start`. */
function readHead(text: string, start: number, toRange: (s: number, e: number) => Range): Head | undefined {
  const parts = readInstructionLine(text);
  if (parts === undefined) return undefined;
  const flags: RawFlag[] = [];
  let argsFrom = parts.rest?.start ?? text.length;
  for (const flag of parts.flags) {
    const decoded = decodeFlagWord(flag.text);
    // A flag word that decodes to a bare `--` (e.g. `--""`) ends the flags like `--` does.
    if (decoded === '--') {
      argsFrom = flag.end;
      break;
    }
    const { name, value } = splitFlag(decoded);
    flags.push({ name, value, range: toRange(start + flag.start, start + flag.end) });
  }
  return {
    keyword: { text: parts.keyword.text, start: start + parts.keyword.start, end: start + parts.keyword.end },
    flags,
    args: trimPiece(text.slice(argsFrom), start + argsFrom),
  };
}

interface LineParse {
  readonly text: string;
  readonly index: SourceIndex;
  readonly reader: LineReader;
  readonly out: Collector;
}

function parseLine(
  p: LineParse,
  line: LogicalLine,
): { kind: InstructionKind; instruction?: Instruction } | undefined {
  const span = (s: number, e: number): Range => {
    const src = sourceSpan(line, s, e);
    return p.index.range(src.start, src.end);
  };
  const whole = trimPiece(line.text, 0);
  const head = readHead(whole.text, whole.start, span);
  if (head === undefined) {
    p.out.error('DF_PARSE', 'could not read this instruction', span(whole.start, whole.end));
    return undefined;
  }
  const unknown = (keyword: Piece): undefined => {
    const near = closestMatch(keyword.text, KEYWORDS);
    p.out.error(
      'DF_UNKNOWN_INSTRUCTION',
      `unknown instruction: ${keyword.text}`,
      span(keyword.start, keyword.end),
      near === undefined ? `valid instructions are ${KEYWORDS.join(', ')}` : `did you mean ${near}?`,
    );
    return undefined;
  };
  const kind = kindOf(head.keyword.text);
  if (kind === undefined) return unknown(head.keyword);

  const { heredocs, end, complete } = readHeredocs(p, line, kind, head, span);
  const build = (kindToBuild: InstructionKind, h: Head, from: number): Instruction | undefined => {
    const start = sourceSpan(line, from, from + 1).start;
    const ctx: BuildContext = {
      head: {
        keyword: h.keyword.text,
        source: p.text.slice(start, end),
        flags: h.flags,
        range: p.index.range(start, end),
      },
      args: h.args,
      escape: p.reader.escape(),
      heredocs,
      error(message, at, hint) {
        const where = at ?? (h.args.text === '' ? h.keyword : h.args);
        p.out.error('DF_PARSE', message, span(where.start, where.end), hint);
      },
      errorAt(range, message, hint) {
        p.out.error('DF_PARSE', message, range, hint);
      },
      nested(args) {
        const inner = readHead(args.text, args.start, span);
        if (inner === undefined) return undefined;
        const innerKind = kindOf(inner.keyword.text);
        return innerKind === undefined ? unknown(inner.keyword) : build(innerKind, inner, args.start);
      },
    };
    return BUILDERS[kindToBuild](ctx);
  };
  const instruction = build(kind, head, head.keyword.start);
  // An instruction whose heredoc never ends is reported and left out of the AST.
  return instruction === undefined || !complete ? { kind } : { kind, instruction };
}

/** Reads the heredoc bodies that follow the line, when the instruction can take them (Docker's rules). */
function readHeredocs(
  p: LineParse,
  line: LogicalLine,
  kind: InstructionKind,
  head: Head,
  span: (s: number, e: number) => Range,
): { heredocs: Heredoc[]; end: number; complete: boolean } {
  let target: Head | undefined = head;
  let targetKind: InstructionKind | undefined = kind;
  if (kind === 'ONBUILD') {
    target = readHead(head.args.text, head.args.start, span);
    targetKind = target && kindOf(target.keyword.text);
  }
  const heredocs: Heredoc[] = [];
  let end = line.end;
  const none = { heredocs, end, complete: true };
  if (target === undefined || targetKind === undefined || !HEREDOC_KINDS.has(targetKind)) return none;
  if (readJsonArray(target.args.text) !== undefined || !line.text.includes('<<')) return none;
  let markers: HeredocMarker[];
  try {
    markers = findHeredocMarkers(line.text);
  } catch (error) {
    if (!(error instanceof ExpandFailure)) throw error;
    p.out.error('DF_PARSE', `invalid heredoc: ${error.message}`, span(target.args.start, target.args.end));
    return { ...none, complete: false };
  }
  for (const marker of markers) {
    const body = p.reader.readHeredoc(marker.name, marker.chomp);
    end = body.end;
    if (!body.terminated) {
      p.out.error(
        'DF_PARSE',
        'unterminated heredoc',
        p.index.range(line.start, body.end),
        `end the heredoc with a line containing only ${marker.name}`,
      );
      return { heredocs, end, complete: false };
    }
    heredocs.push({
      name: marker.name,
      content: marker.chomp ? chompHeredoc(body.content) : body.content,
      expand: marker.expand,
      chomp: marker.chomp,
      range: p.index.range(body.start, body.end),
    });
  }
  return { heredocs, end, complete: true };
}

export function parseDockerfile(text: string, _options: ParseOptions = {}): ParseResult {
  const index = createSourceIndex(text);
  const out = createCollector();
  const directives: Directive[] = [];
  const comments: Comment[] = [];
  const reader = createLineReader(text, {
    comment: (body, start, end) => comments.push({ text: body, range: index.range(start, end) }),
    directive(outcome, start, end) {
      if (outcome.kind === 'directive') {
        directives.push({ name: outcome.name, value: outcome.value, range: index.range(start, end) });
      } else out.error('DF_PARSE', outcome.message, index.range(start, end), outcome.hint);
    },
  });
  const parse: LineParse = { text, index, reader, out };
  const instructions: Instruction[] = [];
  let lines = 0;
  let sawFrom = false;
  for (let line = reader.next(); line !== undefined; line = reader.next()) {
    lines++;
    for (const at of line.emptyContinuations) {
      out.warnings.push({
        severity: 'warning',
        code: 'NoEmptyContinuation',
        message: 'Empty continuation line',
        range: index.range(at, at),
        hint: 'remove the empty line or end the previous line without the escape character',
      });
    }
    const parsed = parseLine(parse, line);
    if (parsed === undefined) continue;
    if (parsed.kind === 'FROM') sawFrom = true;
    else if (parsed.kind !== 'ARG' && !sawFrom) {
      out.error(
        'DF_PARSE',
        `${parsed.kind} cannot come before the first FROM: no build stage in current context`,
        index.range(line.start, line.end),
        'only ARG may precede the first FROM; add a FROM line above it',
      );
    }
    if (parsed.instruction !== undefined) instructions.push(parsed.instruction);
  }
  if (lines === 0) {
    out.error(
      'DF_PARSE',
      'file with no instructions',
      index.range(text.length, text.length),
      'add a FROM line',
    );
  }
  const ast: Dockerfile = { directives, escape: reader.escape(), instructions, comments };
  return { ast, errors: out.errors, warnings: out.warnings };
}
