/** COPY and ADD: sources and a destination, JSON or plain fields, heredoc sources, typed flags. */
import type { AddInstruction, CopyInstruction } from '../ast.ts';
import type { FlagValues } from '../flags.ts';
import { heredocMarkerOf } from '../heredoc.ts';
import { checkFlags, listForm, optional } from './common.ts';
import type { BuildContext } from './context.ts';

const OCTAL_MODE = /^[0-7]{1,4}$/;
const SYMBOLIC_MODE = /^[ugoa]*[-+=](?:[rwxXst]*|[ugo])(?:,[ugoa]*[-+=](?:[rwxXst]*|[ugo]))*$/;

interface Common {
  readonly sources: readonly string[];
  readonly dest: string;
  readonly json: boolean;
}

function sourcesAndDest(ctx: BuildContext, keyword: 'COPY' | 'ADD'): Common | undefined {
  const list = listForm(ctx);
  if (list === undefined) return undefined;
  const dest = list.items.at(-1);
  if (list.items.length < 2 || dest === undefined) {
    ctx.error(
      `${keyword} requires at least two arguments, but only one was provided. Destination could not be determined.`,
      undefined,
      `write ${keyword} <source>... <destination>`,
    );
    return undefined;
  }
  if (!list.json && heredocMarkerOf(dest.text) !== undefined) {
    ctx.error(
      `${keyword} cannot accept a heredoc as a destination`,
      dest,
      'put the heredoc before the destination',
    );
    return undefined;
  }
  return { sources: list.items.slice(0, -1).map((i) => i.text), dest: dest.text, json: list.json };
}

function chmodOk(ctx: BuildContext, flags: FlagValues): boolean {
  const chmod = flags.string('chmod');
  if (chmod === undefined || chmod.includes('$') || OCTAL_MODE.test(chmod) || SYMBOLIC_MODE.test(chmod))
    return true;
  const at = ctx.head.flags.find((f) => f.name === 'chmod')?.range;
  if (at)
    ctx.errorAt(
      at,
      `invalid chmod parameter ${JSON.stringify(chmod)}`,
      'use octal (0755) or symbolic (u+rwx,go+rx) form',
    );
  return false;
}

function shared(flags: FlagValues) {
  return {
    ...optional('chown', flags.string('chown')),
    ...optional('chmod', flags.string('chmod')),
    link: flags.bool('link') ?? false,
    exclude: flags.strings('exclude'),
  };
}

export function buildCopy(ctx: BuildContext): CopyInstruction | undefined {
  const flags = checkFlags(ctx, {
    from: 'string',
    chown: 'string',
    chmod: 'string',
    link: 'bool',
    parents: 'bool',
    exclude: 'strings',
  });
  const args = sourcesAndDest(ctx, 'COPY');
  if (flags === undefined || args === undefined || !chmodOk(ctx, flags)) return undefined;
  return {
    kind: 'COPY',
    ...ctx.head,
    ...args,
    heredocs: ctx.heredocs,
    ...shared(flags),
    ...optional('from', flags.string('from')),
    parents: flags.bool('parents') ?? false,
  };
}

export function buildAdd(ctx: BuildContext): AddInstruction | undefined {
  const flags = checkFlags(ctx, {
    chown: 'string',
    chmod: 'string',
    link: 'bool',
    'keep-git-dir': 'bool',
    checksum: 'string',
    exclude: 'strings',
    unpack: 'bool',
  });
  const args = sourcesAndDest(ctx, 'ADD');
  if (flags === undefined || args === undefined || !chmodOk(ctx, flags)) return undefined;
  const unpack = flags.bool('unpack');
  return {
    kind: 'ADD',
    ...ctx.head,
    ...args,
    heredocs: ctx.heredocs,
    ...shared(flags),
    ...optional('checksum', flags.string('checksum')),
    keepGitDir: flags.bool('keep-git-dir') ?? false,
    ...(unpack === undefined ? {} : { unpack }),
  };
}
