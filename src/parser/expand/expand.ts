/**
 * Public word expansion: what `docker build` does to the arguments of ADD, COPY,
 * ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR and ONBUILD. The
 * caller supplies the environment, so ARG/ENV scoping stays with the planner.
 */
import { type SourceLocation, TsbuildError } from '../../errors.ts';
import { ExpandFailure } from './failure.ts';
import { processShellWord, type ShellWordResult } from './shell-word.ts';

/** Variables visible to an expansion: a map, or a function returning undefined for unset names. */
export type EnvLookup = ReadonlyMap<string, string> | ((name: string) => string | undefined);

export interface ExpandOptions {
  /** The Dockerfile's escape character (`# escape=`); backslash by default. */
  readonly escape?: '\\' | '`';
  /** Where the word is, so a failure can point at it. */
  readonly location?: SourceLocation;
  /** Called for every variable the word references, with whether it was set (cache keys, UndefinedVar). */
  readonly onVariable?: (name: string, defined: boolean) => void;
}

function toLookup(env: EnvLookup): (name: string) => string | undefined {
  return typeof env === 'function' ? env : (name) => env.get(name);
}

function run(word: string, env: EnvLookup, options: ExpandOptions): ShellWordResult {
  try {
    return processShellWord(word, {
      escape: options.escape ?? '\\',
      lookup: toLookup(env),
      ...(options.onVariable ? { onVariable: options.onVariable } : {}),
    });
  } catch (error) {
    if (!(error instanceof ExpandFailure)) throw error;
    // A hostile word can be megabytes long: the message shows its start.
    const shown = word.length > 120 ? `${word.slice(0, 120)}…` : word;
    throw new TsbuildError('DF_EXPAND', `failed to expand ${JSON.stringify(shown)}: ${error.message}`, {
      cause: error,
      ...(options.location ? { location: options.location } : {}),
      hint: 'check the quotes and $' + '{...} braces in this word; a literal $ is written \\$',
    });
  }
}

/** Expands a word into one string: quotes removed, escapes processed, no splitting. */
export function expandWord(word: string, env: EnvLookup, options: ExpandOptions = {}): string {
  return run(word, env, options).value;
}

/** Expands a word and splits it into words; unquoted expansions split on whitespace as in a POSIX shell. */
export function expandWords(word: string, env: EnvLookup, options: ExpandOptions = {}): string[] {
  return [...run(word, env, options).words];
}
