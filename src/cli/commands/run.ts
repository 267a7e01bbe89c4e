/** `tsbuild run [--rm] IMAGE [CMD...]`: a container from an image, host network, removed on exit. */
import type { Argv } from 'yargs';
import type { RunArgs } from '../actions/run.ts';
import type { CliContext } from '../shared.ts';

/** Options of `run` that take a value, so the image can be told apart from option values. */
const RUN_VALUE_OPTIONS = new Set([
  '-e',
  '--env',
  '--entrypoint',
  '-w',
  '--workdir',
  '-u',
  '--user',
  '--network',
  '--runtime',
  '--root',
  '-H',
  '--host',
]);

/**
 * `tsbuild run [OPTIONS] IMAGE [COMMAND] [ARG...]`: everything after IMAGE
 * belongs to the command (`run img sh -c 'x'`), as with docker run. Puts a
 * `--` after the image so the parser leaves the command's words alone.
 */
export function separateRunCommand(argv: readonly string[]): string[] {
  let sawRun = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') break;
    if (word.startsWith('-')) {
      if (RUN_VALUE_OPTIONS.has(word)) i++;
      continue;
    }
    if (!sawRun) {
      if (word !== 'run') break;
      sawRun = true;
      continue;
    }
    return [...argv.slice(0, i + 1), '--', ...argv.slice(i + 1)];
  }
  return [...argv];
}

export function runCommand(parser: Argv, ctx: CliContext, setExit: (code: number) => void): void {
  parser.command<RunArgs>(
    'run <image> [command..]',
    'Run a command in a new container (removed when it exits)',
    (y) =>
      y
        .positional('image', { type: 'string', demandOption: true })
        .positional('command', { type: 'string', array: true })
        .option('rm', {
          type: 'boolean',
          describe: 'Remove the container when it exits (always done; accepted for docker compatibility)',
        })
        .option('env', {
          alias: 'e',
          type: 'string',
          array: true,
          describe: 'Set an environment variable (KEY=VALUE)',
        })
        .option('entrypoint', { type: 'string', describe: 'Override the image ENTRYPOINT' })
        .option('workdir', { alias: 'w', type: 'string', describe: 'Working directory inside the container' })
        .option('user', { alias: 'u', type: 'string', describe: 'User (name|uid[:group|gid])' })
        .option('network', { type: 'string', choices: ['host', 'none'], default: 'host' })
        .option('runtime', { type: 'string', describe: 'OCI runtime: runc (default), crun or a path' })
        .example('$0 run --rm my-httpd', 'Serve the demo page on 127.0.0.1:8080')
        .example('$0 run busybox:local cat /etc/passwd', 'Run a one-off command'),
    async (args) => setExit(await (await import('../actions/run.ts')).runCommand(args, ctx)),
  );
}
