/** HEALTHCHECK NONE | HEALTHCHECK [--interval ...] CMD <command> */
import type { HealthcheckInstruction, HealthcheckOptions } from '../ast.ts';
import { GO_SPACE_CLASS } from '../chars.ts';
import type { FlagValues } from '../flags.ts';
import { checkFlags, commandForm, optional } from './common.ts';
import type { BuildContext } from './context.ts';

const FIRST_WORD = new RegExp(`^([^${GO_SPACE_CLASS}]+)[${GO_SPACE_CLASS}]*`);
// Go's time.ParseDuration syntax.
const DURATION = /^[-+]?(?:0|(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;
const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 6e10,
  h: 3.6e12,
};

function durationNs(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9.]+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(amount) * (UNIT_NS[unit ?? ''] ?? 0);
  }
  return text.startsWith('-') ? -total : total;
}

const OPTIONS = [
  ['interval', 'interval'],
  ['timeout', 'timeout'],
  ['start-period', 'startPeriod'],
  ['start-interval', 'startInterval'],
] as const;

function options(ctx: BuildContext, flags: FlagValues): HealthcheckOptions | undefined {
  let ok = true;
  const bad = (flag: string, message: string, hint: string): void => {
    const at = ctx.head.flags.find((f) => f.name === flag)?.range;
    if (at) ctx.errorAt(at, message, hint);
    ok = false;
  };
  let out: HealthcheckOptions = {};
  for (const [flag, field] of OPTIONS) {
    const value = flags.string(flag);
    if (value === undefined || value === '') continue;
    if (!DURATION.test(value)) {
      // Go's time.ParseDuration wording.
      const reason = /^[-+]?[0-9.]+$/.test(value) ? 'missing unit in duration' : 'invalid duration';
      bad(flag, `time: ${reason} ${JSON.stringify(value)}`, 'write a duration such as 30s, 1m30s or 500ms');
    } else if (durationNs(value) < 1e6)
      bad(flag, `Interval "${flag}" cannot be less than 1ms`, 'use 1ms or more');
    else out = { ...out, [field]: value };
  }
  const retries = flags.string('retries');
  if (retries !== undefined && retries !== '') {
    if (!/^[-+]?[0-9]+$/.test(retries))
      bad('retries', `invalid --retries value ${JSON.stringify(retries)}`, 'write a whole number');
    else if (Number(retries) < 0)
      bad('retries', `--retries cannot be negative (${Number(retries)})`, 'use 0 or more');
    else out = { ...out, ...optional('retries', retries) };
  }
  return ok ? out : undefined;
}

export function buildHealthcheck(ctx: BuildContext): HealthcheckInstruction | undefined {
  const match = FIRST_WORD.exec(ctx.args.text);
  if (match === null) {
    ctx.error(
      'HEALTHCHECK requires at least one argument',
      undefined,
      'write HEALTHCHECK CMD <command> or HEALTHCHECK NONE',
    );
    return undefined;
  }
  const type = (match[1] ?? '').toUpperCase();
  const rest = {
    text: ctx.args.text.slice(match[0].length),
    start: ctx.args.start + match[0].length,
    end: ctx.args.end,
  };
  const command = commandForm(ctx, rest);
  if (command === undefined) return undefined;
  if (type === 'NONE') {
    // As in Docker, flags are not looked at for NONE.
    if (rest.text !== '') {
      ctx.error('HEALTHCHECK NONE takes no arguments', rest, 'remove what follows NONE');
      return undefined;
    }
    return { kind: 'HEALTHCHECK', ...ctx.head, check: { type: 'none' } };
  }
  const flags = checkFlags(ctx, {
    interval: 'string',
    timeout: 'string',
    'start-period': 'string',
    'start-interval': 'string',
    retries: 'string',
  });
  if (flags === undefined) return undefined;
  if (type !== 'CMD') {
    const word = { start: ctx.args.start, end: ctx.args.start + (match[1] ?? '').length };
    ctx.error(`Unknown type "${type}" in HEALTHCHECK (try CMD)`, word, 'write HEALTHCHECK CMD <command>');
    return undefined;
  }
  if (
    (command.form === 'shell' && command.command === '') ||
    (command.form === 'exec' && command.args.length === 0)
  ) {
    ctx.error('Missing command after HEALTHCHECK CMD', undefined, 'write HEALTHCHECK CMD <command>');
    return undefined;
  }
  const opts = options(ctx, flags);
  return opts && { kind: 'HEALTHCHECK', ...ctx.head, check: { type: 'cmd', command, ...opts } };
}
