/**
 * Errors for humans: one line saying what failed, the Dockerfile location
 * with the offending line and a caret when there is one, then what to do.
 * A stack trace only with --debug.
 */
import { isTsbuildError } from '../index.ts';

/** Exit codes, documented in the README. */
export const EXIT = {
  ok: 0,
  /** The build or command failed (a RUN exited non-zero, an image is missing, ...). */
  failed: 1,
  /** The command line was wrong. */
  usage: 2,
  /** The Dockerfile has syntax errors or failing checks. */
  dockerfile: 3,
  /** Cancelled (Ctrl-C). */
  cancelled: 130,
} as const;

export function exitCodeFor(error: unknown): number {
  if (!isTsbuildError(error)) return EXIT.failed;
  if (error.code === 'USAGE') return EXIT.usage;
  if (error.code === 'CANCELLED') return EXIT.cancelled;
  if (error.code.startsWith('DF_')) return EXIT.dockerfile;
  return EXIT.failed;
}

/** The source line of a location with a caret under the column (tabs kept so it lines up). */
export function caretLines(sourceText: string, line: number, column: number): string[] {
  const text = sourceText.split(/\r?\n/)[line - 1];
  if (text === undefined) return [];
  const gutter = `${line} | `;
  const pad = text.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, ' ');
  return [`${gutter}${text}`, `${' '.repeat(gutter.length)}${pad}^`];
}

const DISK_FULL_HINT =
  'the disk (or quota) that holds the store is full: free space with `tsbuild prune` (--all, or --keep-storage SIZE), or use a store on a larger disk (--root)';

export function formatError(
  error: unknown,
  options: { debug?: boolean; sources?: ReadonlyMap<string, string> } = {},
): string {
  const lines: string[] = [];
  if (isTsbuildError(error)) {
    const loc = error.location;
    const where = loc === undefined ? '' : `${loc.file ?? 'Dockerfile'}:${loc.line}:${loc.column}: `;
    lines.push(`error: ${where}${error.message}`);
    const source = loc?.file === undefined ? undefined : options.sources?.get(loc.file);
    if (loc !== undefined && source !== undefined)
      lines.push(...caretLines(source, loc.line, loc.column).map((l) => `  ${l}`));
    if (error.hint !== undefined) lines.push(`hint: ${error.hint}`);
  } else {
    lines.push(`error: ${error instanceof Error ? error.message : String(error)}`);
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOSPC' || code === 'EDQUOT') lines.push(`hint: ${DISK_FULL_HINT}`);
  }
  if (options.debug && error instanceof Error && error.stack) lines.push('', error.stack);
  return lines.join('\n');
}
