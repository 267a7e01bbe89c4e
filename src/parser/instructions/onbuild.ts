/** ONBUILD <instruction>: the trigger is parsed as an instruction of its own. */
import type { OnbuildInstruction } from '../ast.ts';
import { GO_SPACE_CLASS } from '../chars.ts';
import { checkFlags } from './common.ts';
import type { BuildContext } from './context.ts';

const FIRST_WORD = new RegExp(`^[^${GO_SPACE_CLASS}]+`);

export function buildOnbuild(ctx: BuildContext): OnbuildInstruction | undefined {
  const flags = checkFlags(ctx, {});
  const trigger = FIRST_WORD.exec(ctx.args.text)?.[0];
  if (trigger === undefined) {
    ctx.error('ONBUILD requires at least one argument', undefined, 'write ONBUILD <instruction>');
    return undefined;
  }
  const upper = trigger.toUpperCase();
  const at = { start: ctx.args.start, end: ctx.args.start + trigger.length };
  if (upper === 'ONBUILD') {
    ctx.error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", at);
    return undefined;
  }
  if (upper === 'MAINTAINER' || upper === 'FROM') {
    ctx.error(`${upper} isn't allowed as an ONBUILD trigger`, at);
    return undefined;
  }
  const instruction = ctx.nested(ctx.args);
  return flags && instruction && { kind: 'ONBUILD', ...ctx.head, instruction };
}
