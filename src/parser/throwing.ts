/** The throwing wrapper over parseDockerfile, for callers that want one error and no diagnostics list. */
import { type SourceLocation, TsbuildError } from '../errors.ts';
import type { Diagnostic, ParseResult, Range } from './ast.ts';
import { type ParseOptions, parseDockerfile } from './parse.ts';

/** A diagnostic's range as a SourceLocation for TsbuildError. */
export function locationOf(range: Range, file?: string): SourceLocation {
  return {
    ...(file === undefined ? {} : { file }),
    line: range.start.line,
    column: range.start.column,
    endLine: range.end.line,
    endColumn: range.end.column,
  };
}

export function diagnosticToError(d: Diagnostic, file?: string): TsbuildError {
  return new TsbuildError(
    d.code === 'DF_UNKNOWN_INSTRUCTION' ? 'DF_UNKNOWN_INSTRUCTION' : 'DF_PARSE',
    d.message,
    {
      location: locationOf(d.range, file ?? 'Dockerfile'),
      ...(d.hint === undefined ? {} : { hint: d.hint }),
    },
  );
}

/** Parses, throwing the first error as a TsbuildError (DF_PARSE / DF_UNKNOWN_INSTRUCTION) with its location. */
export function parseDockerfileOrThrow(text: string, options: ParseOptions = {}): ParseResult {
  const result = parseDockerfile(text, options);
  const [first] = result.errors;
  if (first !== undefined) throw diagnosticToError(first, options.file);
  return result;
}
