/** Single-value and list instructions: USER, WORKDIR, STOPSIGNAL, MAINTAINER, EXPOSE, VOLUME. */
import type {
  ExposeInstruction,
  MaintainerInstruction,
  StopsignalInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from '../ast.ts';
import { readFields } from '../syntax/read.ts';
import { checkFlags, listForm } from './common.ts';
import { type BuildContext, type InstructionHead, shift } from './context.ts';

type Single = UserInstruction | WorkdirInstruction | StopsignalInstruction | MaintainerInstruction;

/** Docker takes the whole rest of the line as the one argument of these instructions. */
function single<T extends Single>(
  keyword: T['kind'],
  example: string,
  make: (head: InstructionHead, value: string) => T,
): (ctx: BuildContext) => T | undefined {
  return (ctx) => {
    const flags = checkFlags(ctx, {});
    if (ctx.args.text === '') {
      ctx.error(`${keyword} requires exactly one argument`, undefined, `write ${keyword} ${example}`);
      return undefined;
    }
    return flags && make(ctx.head, ctx.args.text);
  };
}

export const buildUser = single('USER', '<user>[:<group>]', (head, user) => ({
  kind: 'USER',
  ...head,
  user,
}));
export const buildWorkdir = single('WORKDIR', '<path>', (head, path) => ({ kind: 'WORKDIR', ...head, path }));
export const buildStopsignal = single('STOPSIGNAL', '<signal>', (head, signal) => ({
  kind: 'STOPSIGNAL',
  ...head,
  signal,
}));
export const buildMaintainer = single('MAINTAINER', '<name>', (head, name) => ({
  kind: 'MAINTAINER',
  ...head,
  name,
}));

const PORT = /^[0-9]+(?:-[0-9]+)?(?:\/[a-zA-Z]+)?$/;
const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

export function buildExpose(ctx: BuildContext): ExposeInstruction | undefined {
  const flags = checkFlags(ctx, {});
  const ports = shift(readFields(ctx.args.text), ctx.args);
  if (ports.length === 0) {
    ctx.error('EXPOSE requires at least one argument', undefined, 'write EXPOSE <port>[/<protocol>]');
    return undefined;
  }
  let ok = true;
  for (const port of ports) {
    // Ports holding variables are checked after expansion; host mappings are left to the ExposeInvalidFormat check.
    if (port.text.includes('$') || port.text.includes(':')) continue;
    const protocol = port.text.split('/')[1]?.toLowerCase();
    if (!PORT.test(port.text)) {
      ctx.error(
        `invalid port ${JSON.stringify(port.text)} in EXPOSE`,
        port,
        'write a port (80), a range (7000-7010), optionally /tcp or /udp',
      );
      ok = false;
    } else if (protocol !== undefined && !PROTOCOLS.has(protocol)) {
      ctx.error(`invalid protocol ${JSON.stringify(protocol)} in EXPOSE`, port, 'use tcp, udp or sctp');
      ok = false;
    }
  }
  return flags && ok ? { kind: 'EXPOSE', ...ctx.head, ports: ports.map((p) => p.text) } : undefined;
}

export function buildVolume(ctx: BuildContext): VolumeInstruction | undefined {
  const flags = checkFlags(ctx, {});
  const list = listForm(ctx);
  if (list === undefined) return undefined;
  if (list.items.length === 0) {
    ctx.error('VOLUME requires at least one argument', undefined, 'write VOLUME <path> or VOLUME ["<path>"]');
    return undefined;
  }
  const blank = list.items.find((i) => i.text.trim() === '');
  if (blank !== undefined) {
    ctx.error('VOLUME specified can not be an empty string', blank);
    return undefined;
  }
  return flags && { kind: 'VOLUME', ...ctx.head, paths: list.items.map((i) => i.text), json: list.json };
}
