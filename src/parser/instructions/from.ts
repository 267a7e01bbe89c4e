/** FROM [--platform=<platform>] <image> [AS <name>] */
import type { FromInstruction } from '../ast.ts';
import { readFields } from '../syntax/read.ts';
import { checkFlags, optional } from './common.ts';
import { type BuildContext, shift } from './context.ts';

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export function buildFrom(ctx: BuildContext): FromInstruction | undefined {
  const flags = checkFlags(ctx, { platform: 'string' });
  const fields = shift(readFields(ctx.args.text), ctx.args);
  const [image, as, name] = fields;
  const named = fields.length === 3 && as !== undefined && as.text.toLowerCase() === 'as';
  if (image === undefined || (fields.length !== 1 && !named)) {
    ctx.error(
      'FROM requires either one or three arguments',
      undefined,
      'write FROM <image> or FROM <image> AS <name>',
    );
    return undefined;
  }
  if (named && name !== undefined && !STAGE_NAME.test(name.text.toLowerCase())) {
    ctx.error(
      `invalid name for build stage: ${JSON.stringify(name.text)}, name can't start with a number or contain symbols`,
      name,
      'stage names start with a letter and contain only letters, digits, "-", "_" and "."',
    );
    return undefined;
  }
  if (flags === undefined) return undefined;
  return {
    kind: 'FROM',
    ...ctx.head,
    image: image.text,
    ...(named ? { stageName: name?.text, asKeyword: as.text } : {}),
    ...optional('platform', flags.string('platform')),
  };
}
