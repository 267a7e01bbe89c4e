/** RUN, CMD, ENTRYPOINT and SHELL: commands in shell form or JSON exec form. */
import type {
  CmdInstruction,
  EntrypointInstruction,
  MountSpec,
  RunInstruction,
  ShellInstruction,
} from '../ast.ts';
import { MountError, parseMount } from '../mount.ts';
import { checkFlags, commandForm } from './common.ts';
import type { BuildContext } from './context.ts';

const NETWORKS = ['default', 'none', 'host'] as const;
const SECURITY = ['sandbox', 'insecure'] as const;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): value is T {
  return value !== undefined && (allowed as readonly string[]).includes(value);
}

export function buildRun(ctx: BuildContext): RunInstruction | undefined {
  const flags = checkFlags(ctx, { mount: 'strings', network: 'string', security: 'string' });
  const command = commandForm(ctx);
  if (flags === undefined || command === undefined) return undefined;
  let ok = true;
  const mounts: MountSpec[] = [];
  const mountFlags = ctx.head.flags.filter((f) => f.name === 'mount');
  for (const [i, value] of flags.strings('mount').entries()) {
    try {
      mounts.push(parseMount(value));
    } catch (error) {
      if (!(error instanceof MountError)) throw error;
      const flag = mountFlags[i];
      if (flag) ctx.errorAt(flag.range, error.message, error.hint);
      ok = false;
    }
  }
  const network = flags.string('network');
  const security = flags.string('security');
  const flagAt = (name: string) => ctx.head.flags.find((f) => f.name === name)?.range;
  if (network !== undefined && !oneOf(network, NETWORKS)) {
    const at = flagAt('network');
    if (at)
      ctx.errorAt(at, `unsupported network mode ${JSON.stringify(network)}`, 'use default, none or host');
    ok = false;
  }
  if (security !== undefined && !oneOf(security, SECURITY)) {
    const at = flagAt('security');
    if (at)
      ctx.errorAt(at, `unsupported security mode ${JSON.stringify(security)}`, 'use sandbox or insecure');
    ok = false;
  }
  if (!ok) return undefined;
  return {
    kind: 'RUN',
    ...ctx.head,
    command,
    heredocs: ctx.heredocs,
    mounts,
    ...(oneOf(network, NETWORKS) ? { network } : {}),
    ...(oneOf(security, SECURITY) ? { security } : {}),
  };
}

export function buildCmd(ctx: BuildContext): CmdInstruction | undefined {
  const flags = checkFlags(ctx, {});
  const command = commandForm(ctx);
  return flags && command && { kind: 'CMD', ...ctx.head, command };
}

export function buildEntrypoint(ctx: BuildContext): EntrypointInstruction | undefined {
  const flags = checkFlags(ctx, {});
  const command = commandForm(ctx);
  return flags && command && { kind: 'ENTRYPOINT', ...ctx.head, command };
}

export function buildShell(ctx: BuildContext): ShellInstruction | undefined {
  const flags = checkFlags(ctx, {});
  const command = commandForm(ctx);
  if (flags === undefined || command === undefined) return undefined;
  if (command.form === 'shell' && command.command !== '') {
    ctx.error(
      'SHELL requires the arguments to be in JSON form',
      undefined,
      'write e.g. SHELL ["/bin/bash", "-c"]',
    );
    return undefined;
  }
  if (command.form === 'shell' || command.args.length === 0) {
    ctx.error('SHELL requires at least one argument', undefined, 'write e.g. SHELL ["/bin/bash", "-c"]');
    return undefined;
  }
  return { kind: 'SHELL', ...ctx.head, args: command.args };
}
