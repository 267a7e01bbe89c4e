/**
 * The tsbuild command line: a thin yargs shell over the library API. Every
 * command lives in its own file under ./commands and registers itself here.
 */
import yargs, { type Argv } from 'yargs';
import { TsbuildError } from '../index.ts';
import { buildCommand } from './commands/build.ts';
import { imageCommands } from './commands/images.ts';
import { runCommand } from './commands/run.ts';
import { EXIT, exitCodeFor, formatError } from './errors.ts';
import { type CliContext, globalOptions } from './shared.ts';

export async function main(argv: readonly string[], ctx: CliContext = defaultContext()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const parser: Argv = globalOptions(yargs([...argv]))
    .scriptName('tsbuild')
    .usage('$0 [build] [OPTIONS] CONTEXT\n$0 COMMAND [OPTIONS]\n\nBuild OCI images from Dockerfiles.')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message, error) => {
      throw error ?? new TsbuildError('USAGE', message, { hint: 'run `tsbuild --help` for usage' });
    })
    .epilog(
      'Exit codes: 0 success, 1 build or command failed, 2 usage error, 3 Dockerfile error, 130 cancelled.',
    );
  buildCommand(parser, ctx, (code) => {
    exitCode = code;
  });
  imageCommands(parser, ctx);
  runCommand(parser, ctx, (code) => {
    exitCode = code;
  });
  parser.command('version', 'Print the tsbuild version', {}, async () => {
    ctx.out(`tsbuild ${await ctx.version()}\n`);
  });
  try {
    await parser.parseAsync();
    return exitCode;
  } catch (error) {
    const debug = argv.includes('--debug');
    ctx.err(`${formatError(error, { debug, sources: ctx.sources })}\n`);
    return exitCodeFor(error);
  }
}

function defaultContext(): CliContext {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    sources: new Map(),
    env: process.env,
    stdin: process.stdin,
    isTTY: process.stdout.isTTY === true,
    version: async () => {
      const { readFile } = await import('node:fs/promises');
      const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version: string;
      };
      return pkg.version;
    },
  };
}
