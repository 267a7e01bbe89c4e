/**
 * Heredoc markers (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`) found in an instruction
 * line. Docker splits the whole line into shell words (quotes and escapes kept,
 * unset variables left alone) and takes every word of the form `[fd]<<[-]NAME`.
 */
import { ExpandFailure } from './expand/failure.ts';
import { processShellWord } from './expand/shell-word.ts';

export interface HeredocMarker {
  readonly name: string;
  readonly chomp: boolean;
  /** False when any part of the delimiter was quoted: the body is taken literally. */
  readonly expand: boolean;
}

const MARKER = /^([0-9]*)<<(-?)([^<]*)$/;
const unset = (): undefined => undefined;

const splitWords = (text: string, rawQuotes: boolean, rawEscapes: boolean): readonly string[] =>
  processShellWord(text, { escape: '\\', lookup: unset, skipUnset: true, rawQuotes, rawEscapes }).words;

const quoteCount = (text: string): number => (text.match(/['"]/g) ?? []).length;

/** Reads one word as a heredoc marker; undefined when it is not one. Throws ExpandFailure on a malformed delimiter. */
export function parseHeredocMarker(word: string): HeredocMarker | undefined {
  const match = MARKER.exec(word);
  const rest = match?.[3];
  if (match === null || rest === undefined || rest === '') return undefined;
  const words = splitWords(rest, false, false);
  if (words.length !== 1) return undefined;
  const raw = splitWords(rest, true, false);
  const name = words[0] ?? '';
  return { name, chomp: match[2] === '-', expand: quoteCount(name) === quoteCount(raw[0] ?? '') };
}

/** Docker's MustParseHeredoc: a marker or undefined, never an error. */
export function heredocMarkerOf(word: string): HeredocMarker | undefined {
  try {
    return parseHeredocMarker(word);
  } catch (error) {
    if (error instanceof ExpandFailure) return undefined;
    throw error;
  }
}

/** All heredoc markers of a logical line, in order. A line that does not split into words has none. */
export function findHeredocMarkers(line: string): HeredocMarker[] {
  let words: readonly string[];
  try {
    words = splitWords(line, true, true);
  } catch (error) {
    if (error instanceof ExpandFailure) return [];
    throw error;
  }
  return words.map(parseHeredocMarker).filter((m): m is HeredocMarker => m !== undefined);
}

/** Docker's `<<-` body handling: leading tabs removed from every line. */
export function chompHeredoc(content: string): string {
  return content.replace(/(^|\n)\t+/g, '$1');
}
