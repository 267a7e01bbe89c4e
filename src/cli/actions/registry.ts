/** What the registry commands do: pull, push, login, logout. */
import { login, logout, type PullEvent, type PushEvent, pull, push, TsbuildError } from '../../index.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';
import { handleInterrupts } from '../signals.ts';
import { formatSize, shortId } from '../table.ts';

export interface RegistryArgs extends GlobalArgs {
  readonly 'insecure-registry'?: string[];
  readonly quiet?: boolean;
}

export type PullArgs = RegistryArgs & { readonly name: string; readonly platform?: string };
export type PushArgs = RegistryArgs & {
  readonly name: string;
  readonly target?: string;
  readonly compression: 'gzip' | 'zstd';
};
export type LoginArgs = RegistryArgs & {
  readonly server?: string;
  readonly username?: string;
  readonly password?: string;
  readonly 'password-stdin'?: boolean;
};
export type LogoutArgs = GlobalArgs & { readonly server?: string };

function insecure(args: RegistryArgs) {
  const hosts = args['insecure-registry'];
  return hosts === undefined ? {} : { insecureRegistries: hosts };
}

function pullLine(event: PullEvent): string | undefined {
  if (event.kind === 'resolved') return `${event.ref}: resolved to ${event.digest}`;
  if (event.kind === 'blob-done' && event.role === 'layer')
    return `${shortId(event.digest)}: ${event.outcome === 'present' ? 'Already exists' : `Pull complete (${formatSize(event.size)})`}`;
  if (event.kind === 'blob-retry') return `${shortId(event.digest)}: retrying (${event.reason})`;
  return undefined;
}

function pushLine(event: PushEvent): string | undefined {
  if (event.kind !== 'blob-done') return undefined;
  const what =
    event.outcome === 'exists'
      ? 'Layer already exists'
      : event.outcome === 'mounted'
        ? 'Mounted from another repository'
        : `Pushed (${formatSize(event.size)})`;
  return `${shortId(event.digest)}: ${what}`;
}

async function readPassword(ctx: CliContext, fromStdin: boolean): Promise<string> {
  const chunks: Buffer[] = [];
  if (!fromStdin)
    throw new TsbuildError('USAGE', 'no password given', {
      hint: 'pipe it in with --password-stdin (e.g. `cat token | tsbuild login -u me --password-stdin REGISTRY`)',
    });
  for await (const chunk of ctx.stdin) chunks.push(Buffer.from(chunk as Buffer));
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') throw new TsbuildError('USAGE', '--password-stdin: standard input was empty');
  return password;
}

export async function pullCommand(args: PullArgs, ctx: CliContext): Promise<void> {
  const interrupts = handleInterrupts('pull', (t) => ctx.err(`${t}\n`));
  try {
    const pulled = await pull(args.name, {
      ...rootOption(args),
      ...insecure(args),
      ...(args.platform !== undefined && { platform: args.platform }),
      signal: interrupts.signal,
      ...(args.quiet !== true && {
        onProgress: (e: PullEvent) => {
          const line = pullLine(e);
          if (line !== undefined) ctx.err(`${line}\n`);
        },
      }),
    });
    if (args.quiet !== true) ctx.err(`Digest: ${pulled.digest}\n`);
    ctx.out(`${pulled.name}\n`);
  } finally {
    interrupts.dispose();
  }
}

export async function pushCommand(args: PushArgs, ctx: CliContext): Promise<void> {
  const interrupts = handleInterrupts('push', (t) => ctx.err(`${t}\n`));
  try {
    const pushed = await push(args.name, args.target, {
      ...rootOption(args),
      ...insecure(args),
      compression: args.compression,
      signal: interrupts.signal,
      ...(args.quiet !== true && {
        onProgress: (e: PushEvent) => {
          const line = pushLine(e);
          if (line !== undefined) ctx.err(`${line}\n`);
        },
      }),
    });
    ctx.out(args.quiet === true ? `${pushed.digest}\n` : `${pushed.name}: digest: ${pushed.digest}\n`);
  } finally {
    interrupts.dispose();
  }
}

export async function loginCommand(args: LoginArgs, ctx: CliContext): Promise<void> {
  if (args.password !== undefined && args['password-stdin'] === true)
    throw new TsbuildError('USAGE', '--password and --password-stdin are mutually exclusive');
  if (args.password !== undefined)
    ctx.err('WARNING! Using --password on the command line is insecure. Use --password-stdin.\n');
  const password = args.password ?? (await readPassword(ctx, args['password-stdin'] === true));
  await login(args.server, args.username!, password, insecure(args));
  ctx.out('Login Succeeded\n');
}

export async function logoutCommand(args: LogoutArgs, ctx: CliContext): Promise<void> {
  const had = await logout(args.server);
  ctx.out(had ? `Removed login credentials for ${args.server ?? 'docker.io'}\n` : 'Not logged in\n');
}
