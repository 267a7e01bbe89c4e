/** Registry commands: pull, push, login, logout. */
import type { Argv } from 'yargs';
import { login, logout, type PullEvent, type PushEvent, pull, push, TsbuildError } from '../../index.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';
import { handleInterrupts } from '../signals.ts';
import { formatSize, shortId } from '../table.ts';

interface RegistryArgs extends GlobalArgs {
  readonly 'insecure-registry'?: string[];
  readonly quiet?: boolean;
}

const insecureOption = {
  type: 'string',
  array: true,
  describe: 'Registry host that may be spoken to over plain HTTP (loopback hosts always may)',
} as const;

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

export function registryCommands(parser: Argv, ctx: CliContext): void {
  parser.command<RegistryArgs & { name: string; platform?: string }>(
    'pull <name>',
    'Pull an image from a registry into the store',
    (y) =>
      y
        .positional('name', { type: 'string', demandOption: true, describe: 'name[:tag|@digest]' })
        .option('platform', { type: 'string', describe: 'os/arch[/variant] (default: this host)' })
        .option('insecure-registry', insecureOption)
        .option('quiet', { alias: 'q', type: 'boolean', describe: 'Print only the name' })
        .example('$0 pull 127.0.0.1:5000/busybox:latest', 'From a local registry (plain HTTP on loopback)'),
    async (args) => {
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
    },
  );

  parser.command<RegistryArgs & { name: string; target?: string; compression: 'gzip' | 'zstd' }>(
    'push <name> [target]',
    'Push an image to its registry (or to TARGET)',
    (y) =>
      y
        .positional('name', { type: 'string', demandOption: true })
        .positional('target', { type: 'string', describe: 'Push under this name instead' })
        .option('compression', { type: 'string', choices: ['gzip', 'zstd'], default: 'gzip' })
        .option('insecure-registry', insecureOption)
        .option('quiet', { alias: 'q', type: 'boolean', describe: 'Print only the digest' })
        .example('$0 push 127.0.0.1:5000/my-httpd', 'Push a tag to a local registry')
        .example('$0 push my-httpd registry.example/team/my-httpd:1.0', 'Push under another name'),
    async (args) => {
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
    },
  );

  parser.command<
    RegistryArgs & { server?: string; username?: string; password?: string; 'password-stdin'?: boolean }
  >(
    'login [server]',
    'Log in to a registry (saved in the Docker config file, as docker login does)',
    (y) =>
      y
        .positional('server', { type: 'string', describe: 'Registry host (default: Docker Hub)' })
        .option('username', { alias: 'u', type: 'string', demandOption: true })
        .option('password', { alias: 'p', type: 'string', describe: 'Password (prefer --password-stdin)' })
        .option('password-stdin', { type: 'boolean', describe: 'Read the password from standard input' })
        .option('insecure-registry', insecureOption)
        .example(
          'echo "$TOKEN" | $0 login -u ci --password-stdin registry.example',
          'Log in from CI without the password in argv',
        ),
    async (args) => {
      if (args.password !== undefined && args['password-stdin'] === true)
        throw new TsbuildError('USAGE', '--password and --password-stdin are mutually exclusive');
      if (args.password !== undefined)
        ctx.err('WARNING! Using --password on the command line is insecure. Use --password-stdin.\n');
      const password = args.password ?? (await readPassword(ctx, args['password-stdin'] === true));
      await login(args.server, args.username!, password, insecure(args));
      ctx.out('Login Succeeded\n');
    },
  );

  parser.command<GlobalArgs & { server?: string }>(
    'logout [server]',
    'Forget the login for a registry',
    (y) =>
      y
        .positional('server', { type: 'string' })
        .example('$0 logout registry.example', 'Remove the saved login'),
    async (args) => {
      const had = await logout(args.server);
      ctx.out(had ? `Removed login credentials for ${args.server ?? 'docker.io'}\n` : 'Not logged in\n');
    },
  );
}
