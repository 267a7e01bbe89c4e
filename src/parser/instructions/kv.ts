/** ENV and LABEL (`k=v ...` or the legacy `k v` form) and ARG (`name[=default] ...`). */
import type { ArgDeclaration, ArgInstruction, EnvInstruction, KeyValue, LabelInstruction } from '../ast.ts';
import { FIELD_SPACE_CLASS } from '../chars.ts';
import { readWords } from '../syntax/read.ts';
import type { Piece } from '../syntax/visitor.ts';
import { checkFlags } from './common.ts';
import { type BuildContext, shift } from './context.ts';

const LEGACY_SPLIT = new RegExp(`[${FIELD_SPACE_CLASS}]+`);

function words(ctx: BuildContext): Piece[] {
  return shift(readWords(ctx.args.text, ctx.escape), ctx.args);
}

/** Docker decides the form by the first word: no `=` in it means `KEY value` with the rest of the line as value. */
function keyValues(
  ctx: BuildContext,
  keyword: 'ENV' | 'LABEL',
): { pairs: KeyValue[]; legacy: boolean } | undefined {
  const list = words(ctx);
  const first = list[0];
  if (first === undefined) {
    ctx.error(`${keyword} requires at least one argument`, undefined, `write ${keyword} <key>=<value>`);
    return undefined;
  }
  if (!first.text.includes('=')) {
    const match = LEGACY_SPLIT.exec(ctx.args.text);
    if (match === null) {
      ctx.error(`${keyword} must have two arguments`, undefined, `write ${keyword} ${ctx.args.text}=<value>`);
      return undefined;
    }
    const key = ctx.args.text.slice(0, match.index);
    return { pairs: [{ key, value: ctx.args.text.slice(match.index + match[0].length) }], legacy: true };
  }
  const pairs: KeyValue[] = [];
  for (const word of list) {
    const eq = word.text.indexOf('=');
    if (eq === -1) {
      ctx.error(
        `Syntax error - can't find = in ${JSON.stringify(word.text)}. Must be of the form: name=value`,
        word,
        'quote values that contain spaces, e.g. KEY="a b"',
      );
      return undefined;
    }
    if (eq === 0) {
      ctx.error(`${keyword} names can not be blank`, word, 'write <name>=<value>');
      return undefined;
    }
    pairs.push({ key: word.text.slice(0, eq), value: word.text.slice(eq + 1) });
  }
  return { pairs, legacy: false };
}

export function buildEnv(ctx: BuildContext): EnvInstruction | undefined {
  const flags = checkFlags(ctx, {});
  const parsed = keyValues(ctx, 'ENV');
  return flags && parsed && { kind: 'ENV', ...ctx.head, ...parsed };
}

export function buildLabel(ctx: BuildContext): LabelInstruction | undefined {
  const flags = checkFlags(ctx, {});
  const parsed = keyValues(ctx, 'LABEL');
  return flags && parsed && { kind: 'LABEL', ...ctx.head, pairs: parsed.pairs, legacy: parsed.legacy };
}

export function buildArg(ctx: BuildContext): ArgInstruction | undefined {
  const flags = checkFlags(ctx, {});
  const list = words(ctx);
  if (list.length === 0) {
    ctx.error('ARG requires at least one argument', undefined, 'write ARG <name>[=<default>]');
    return undefined;
  }
  const args: ArgDeclaration[] = [];
  for (const word of list) {
    const eq = word.text.indexOf('=');
    if (eq === 0) {
      ctx.error('ARG names can not be blank', word, 'write ARG <name>[=<default>]');
      return undefined;
    }
    args.push(
      eq === -1
        ? { name: word.text }
        : { name: word.text.slice(0, eq), defaultValue: word.text.slice(eq + 1) },
    );
  }
  return flags && { kind: 'ARG', ...ctx.head, args };
}
