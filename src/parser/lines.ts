/**
 * Physical lines -> logical instruction lines, the way Docker's line-oriented
 * reader does it: BOM and CRLF handling, parser directives at the top, comment
 * lines, escape-character continuations (with comment and empty lines skipped
 * inside them), and heredoc bodies read on request after an instruction line.
 */
import { GO_SPACE_CLASS } from './chars.ts';
import { createDirectiveScanner, type DirectiveOutcome } from './directives.ts';

/** Maps an index in a logical line back to the source: text from `at` on starts at source `offset`. */
export interface Segment {
  readonly at: number;
  readonly offset: number;
}

export interface LogicalLine {
  /** The joined text Docker parses: continuation characters removed, lines concatenated. */
  readonly text: string;
  readonly segments: readonly Segment[];
  /** Source offset where the instruction starts (its first non-space character). */
  readonly start: number;
  /** Source offset just past the last line the instruction consumed (line ending excluded). */
  readonly end: number;
  /** Source offsets of empty lines inside the continuation (NoEmptyContinuation). */
  readonly emptyContinuations: readonly number[];
}

export interface HeredocBody {
  /** Source offset of the first body line. */
  readonly start: number;
  /** Body lines exactly as read, line endings included, before any tab stripping. */
  readonly content: string;
  readonly terminated: boolean;
  /** Source offset just past the terminator line (or the end of the file). */
  readonly end: number;
}

export interface LineEvents {
  comment(text: string, start: number, end: number): void;
  directive(outcome: Exclude<DirectiveOutcome, { kind: 'none' }>, start: number, end: number): void;
}

export interface LineReader {
  next(): LogicalLine | undefined;
  readHeredoc(name: string, chomp: boolean): HeredocBody;
  /** The escape character in effect (a directive may change it). */
  escape(): '\\' | '`';
}

interface PhysicalLine {
  readonly start: number;
  /** End of the content: trailing \r and \n characters excluded. */
  readonly contentEnd: number;
  /** Past the line's `\n` (or the end of the text). */
  readonly end: number;
}

const LEADING_SPACE = new RegExp(`^[${GO_SPACE_CLASS}]*`);

function splitLines(text: string): PhysicalLine[] {
  const lines: PhysicalLine[] = [];
  let start = text.startsWith('\uFEFF') ? 1 : 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline + 1;
    let contentEnd = end;
    while (contentEnd > start && (text[contentEnd - 1] === '\n' || text[contentEnd - 1] === '\r'))
      contentEnd--;
    lines.push({ start, contentEnd, end });
    start = end;
  }
  return lines;
}

/**
 * Where the continuation character sits, or -1: the escape character is the last
 * non-blank (space/tab) character and is not itself escaped.
 */
export function continuationAt(content: string, escapeChar: string): number {
  let i = content.length;
  while (i > 0 && (content[i - 1] === ' ' || content[i - 1] === '\t')) i--;
  const at = i - 1;
  if (at < 0 || content[at] !== escapeChar) return -1;
  return at === 0 || content[at - 1] !== escapeChar ? at : -1;
}

export function createLineReader(text: string, events: LineEvents): LineReader {
  const lines = splitLines(text);
  const directives = createDirectiveScanner();
  let escapeChar: '\\' | '`' = '\\';
  let index = 0;

  const content = (line: PhysicalLine): string => text.slice(line.start, line.contentEnd);
  const leadingSpace = (s: string): number => LEADING_SPACE.exec(s)?.[0].length ?? 0;

  /** Handles a line that starts an instruction; returns the trimmed text's offset or undefined to skip it. */
  const firstLine = (line: PhysicalLine): number | undefined => {
    const raw = content(line);
    const trimmedAt = line.start + leadingSpace(raw);
    const trimmed = text.slice(trimmedAt, line.contentEnd);
    const outcome = directives.scan(trimmed);
    if (outcome.kind !== 'none') {
      if (outcome.kind === 'directive' && outcome.name === 'escape') escapeChar = outcome.value as '\\' | '`';
      events.directive(outcome, trimmedAt, line.contentEnd);
      return undefined;
    }
    if (trimmed.startsWith('#')) {
      events.comment(trimmed.slice(1), trimmedAt, line.contentEnd);
      return undefined;
    }
    return trimmedAt;
  };

  return {
    escape: () => escapeChar,
    next() {
      while (index < lines.length) {
        const line = lines[index++] as PhysicalLine;
        const from = firstLine(line);
        if (from === undefined) continue;
        const first = text.slice(from, line.contentEnd);
        const cut = continuationAt(first, escapeChar);
        if (cut === -1 && first === '') continue;
        let joined = cut === -1 ? first : first.slice(0, cut);
        const segments: Segment[] = [{ at: 0, offset: from }];
        const emptyContinuations: number[] = [];
        let end = line.contentEnd;
        let continues = cut !== -1;
        while (continues && index < lines.length) {
          const next = lines[index++] as PhysicalLine;
          const body = content(next);
          end = next.contentEnd;
          const blank = leadingSpace(body);
          if (body[blank] === '#') {
            events.comment(body.slice(blank + 1), next.start + blank, next.contentEnd);
            continue;
          }
          if (blank === body.length) {
            emptyContinuations.push(next.start);
            continue;
          }
          const nextCut = continuationAt(body, escapeChar);
          segments.push({ at: joined.length, offset: next.start });
          joined += nextCut === -1 ? body : body.slice(0, nextCut);
          continues = nextCut !== -1;
        }
        return { text: joined, segments, start: from, end, emptyContinuations };
      }
      return undefined;
    },
    readHeredoc(name, chomp) {
      const start = lines[index]?.start ?? text.length;
      let body = '';
      while (index < lines.length) {
        const line = lines[index++] as PhysicalLine;
        let candidate = content(line);
        if (chomp) candidate = candidate.replace(/^\t+/, '');
        if (candidate === name) return { start, content: body, terminated: true, end: line.contentEnd };
        body += text.slice(line.start, line.end);
      }
      return { start, content: body, terminated: false, end: text.length };
    },
  };
}

/** Maps a [start, end) range of a logical line back to source offsets. */
export function sourceSpan(line: LogicalLine, start: number, end: number): { start: number; end: number } {
  const toSource = (at: number): number => {
    let segment = line.segments[0] as Segment;
    for (const s of line.segments) {
      if (s.at <= at) segment = s;
      else break;
    }
    return segment.offset + (at - segment.at);
  };
  const from = toSource(start);
  return { start: from, end: end > start ? toSource(end - 1) + 1 : from };
}
