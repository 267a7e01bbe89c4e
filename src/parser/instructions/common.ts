/** Argument shapes shared by several instructions: JSON-or-shell commands, JSON-or-fields lists, flags. */
import type { CommandForm } from '../ast.ts';
import { type FlagSpec, type FlagValues, interpretFlags } from '../flags.ts';
import { readFields, readJsonArray } from '../syntax/read.ts';
import type { Piece } from '../syntax/visitor.ts';
import { type BuildContext, shift } from './context.ts';

export const NOT_STRING_ARRAY = 'when using JSON array syntax, arrays must be comprised of strings only';

/** Checks the flags against `spec`; undefined (after reporting) when any is wrong. */
export function checkFlags(ctx: BuildContext, spec: FlagSpec): FlagValues | undefined {
  const { values, problems } = interpretFlags(ctx.head.flags, spec);
  for (const p of problems) ctx.errorAt(p.flag.range, p.message, p.hint);
  return problems.length === 0 ? values : undefined;
}

/** JSON array of strings, a reported error (null), or undefined for "not JSON". */
function jsonStrings(ctx: BuildContext, args: Piece): Piece[] | null | undefined {
  const json = readJsonArray(args.text);
  if (json === undefined) return undefined;
  if (json.kind === 'not-strings') {
    const [element] = shift([json.element], args);
    ctx.error(NOT_STRING_ARRAY, element, 'quote every element, e.g. ["sh", "-c", "echo hi"]');
    return null;
  }
  return shift(json.items, args);
}

/** RUN/CMD/ENTRYPOINT/SHELL arguments: a JSON array of strings (exec form) or the text as is (shell form). */
export function commandForm(ctx: BuildContext, args: Piece = ctx.args): CommandForm | undefined {
  if (args.text === '') return { form: 'shell', command: '' };
  const items = jsonStrings(ctx, args);
  if (items === null) return undefined;
  if (items === undefined) return { form: 'shell', command: args.text };
  return { form: 'exec', args: items.map((i) => i.text) };
}

/** COPY/ADD/VOLUME arguments: a JSON array of strings or whitespace-separated fields (quotes not special). */
export function listForm(ctx: BuildContext): { items: Piece[]; json: boolean } | undefined {
  const items = jsonStrings(ctx, ctx.args);
  if (items === null) return undefined;
  if (items !== undefined) return { items, json: true };
  return { items: shift(readFields(ctx.args.text), ctx.args), json: false };
}

/** `{ key: value }` when the value is defined, `{}` otherwise: spreads into optional AST fields. */
export const optional = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
