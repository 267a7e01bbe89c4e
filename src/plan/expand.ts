/**
 * Word expansion for the planner: the parser's expander with the stage's
 * environment, and errors pointing at the instruction.
 */
import { TsbuildError } from '../errors.ts';
import type { Range } from '../parser/ast.ts';
import { expandWord, expandWords } from '../parser/index.ts';
import { lookup, type StageState } from './state.ts';

type Env = (name: string) => string | undefined;

function located<T>(state: Pick<StageState, 'file'>, range: Range, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TsbuildError && err.location !== undefined) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new TsbuildError('DF_EXPAND', message, {
      cause: err,
      location: { file: state.file, line: range.start.line, column: range.start.column },
    });
  }
}

export function expandIn(state: StageState, word: string, range: Range): string {
  return located(state, range, () => expandWord(word, lookup(state), { escape: state.escape }));
}

export function expandListIn(state: StageState, word: string, range: Range): string[] {
  return located(state, range, () => expandWords(word, lookup(state), { escape: state.escape }));
}

/** Expansion with an explicit environment (FROM lines see only the global args). */
export function expandWith(
  ctx: { file: string; escape: '\\' | '`' },
  env: Env,
  word: string,
  range: Range,
): string {
  return located(ctx, range, () => expandWord(word, env, { escape: ctx.escape }));
}
