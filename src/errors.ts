/**
 * The one error type every part of tsbuild throws. A stable `code` lets
 * callers branch without parsing messages; `location` points into the
 * Dockerfile when the error has a place there.
 */
export type ErrorCode =
  | 'DF_PARSE'
  | 'DF_UNKNOWN_INSTRUCTION'
  | 'DF_EXPAND'
  | 'DF_PLAN'
  | 'DF_LINT'
  | 'CONTEXT'
  | 'RUN_FAILED'
  | 'EXECUTOR'
  | 'RUNTIME_MISSING'
  | 'SNAPSHOT'
  | 'CACHE'
  | 'IMAGE'
  | 'IMAGE_NOT_FOUND'
  | 'LAYER_UNSAFE'
  | 'STORE'
  | 'REGISTRY'
  | 'REGISTRY_AUTH'
  | 'REGISTRY_NOT_FOUND'
  | 'DIGEST_MISMATCH'
  | 'CANCELLED'
  | 'USAGE'
  | 'INTERNAL';

export interface SourceLocation {
  /** File name as the user knows it, e.g. `Dockerfile`. */
  readonly file?: string;
  /** 1-based line and column. */
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

export interface TsbuildErrorOptions {
  readonly cause?: unknown;
  readonly location?: SourceLocation;
  /** What the user can do about it, printed after the message. */
  readonly hint?: string;
}

export class TsbuildError extends Error {
  readonly code: ErrorCode;
  readonly location: SourceLocation | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: TsbuildErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TsbuildError';
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
  }
}

export function isTsbuildError(value: unknown, code?: ErrorCode): value is TsbuildError {
  return value instanceof TsbuildError && (code === undefined || value.code === code);
}
