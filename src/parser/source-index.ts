/**
 * Offsets -> 1-based line/column positions for one source text. Columns count
 * UTF-16 code units from the start of the line (as editors and LSP do); a UTF-8
 * BOM is not part of line 1.
 */
import type { Position, Range } from './ast.ts';

export interface SourceIndex {
  readonly text: string;
  /** Offset of the first character of each line (index 0 is line 1). */
  readonly lineStarts: readonly number[];
  position(offset: number): Position;
  range(start: number, end: number): Range;
  /** The text of a 1-based line without its line ending. */
  lineText(line: number): string;
}

export function createSourceIndex(text: string): SourceIndex {
  const lineStarts = [text.startsWith('\uFEFF') ? 1 : 0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);

  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  const position = (offset: number): Position => {
    const clamped = Math.max(0, Math.min(offset, text.length));
    const index = lineOf(clamped);
    const start = lineStarts[index] ?? 0;
    return { line: index + 1, column: Math.max(0, clamped - start) + 1, offset: clamped };
  };

  return {
    text,
    lineStarts,
    position,
    range: (start, end) => ({ start: position(start), end: position(Math.max(start, end)) }),
    lineText(line) {
      const start = lineStarts[line - 1];
      if (start === undefined) return '';
      const next = lineStarts[line];
      let end = next === undefined ? text.length : next;
      while (end > start && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
      return text.slice(start, end);
    },
  };
}
