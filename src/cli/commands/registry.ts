/** Registry commands: pull, push, login, logout. */
import type { Argv } from 'yargs';
import type { LoginArgs, LogoutArgs, PullArgs, PushArgs } from '../actions/registry.ts';
import type { CliContext } from '../shared.ts';

/** The registry client loads only when one of these commands runs. */
const actions = () => import('../actions/registry.ts');

const insecureOption = {
  type: 'string',
  array: true,
  describe: 'Registry host that may be spoken to over plain HTTP (loopback hosts always may)',
} as const;

export function registryCommands(parser: Argv, ctx: CliContext): void {
  parser.command<PullArgs>(
    'pull <name>',
    'Pull an image from a registry into the store',
    (y) =>
      y
        .positional('name', { type: 'string', demandOption: true, describe: 'name[:tag|@digest]' })
        .option('platform', { type: 'string', describe: 'os/arch[/variant] (default: this host)' })
        .option('insecure-registry', insecureOption)
        .option('quiet', { alias: 'q', type: 'boolean', describe: 'Print only the name' })
        .example('$0 pull 127.0.0.1:5000/busybox:latest', 'From a local registry (plain HTTP on loopback)'),
    async (args) => (await actions()).pullCommand(args, ctx),
  );

  parser.command<PushArgs>(
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
    async (args) => (await actions()).pushCommand(args, ctx),
  );

  parser.command<LoginArgs>(
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
    async (args) => (await actions()).loginCommand(args, ctx),
  );

  parser.command<LogoutArgs>(
    'logout [server]',
    'Forget the login for a registry',
    (y) =>
      y
        .positional('server', { type: 'string' })
        .example('$0 logout registry.example', 'Remove the saved login'),
    async (args) => (await actions()).logoutCommand(args, ctx),
  );
}
