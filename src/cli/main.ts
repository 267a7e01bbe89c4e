/**
 * The tsbuild command line: a thin yargs shell over the library API. Every
 * command lives in its own file under ./commands and registers itself here.
 */
import yargs, { type Argv } from 'yargs';
import { hostPlatform, TsbuildError } from '../index.ts';
import { joinDashValues, PARSER_CONFIGURATION, restoreDashes } from './build/parse-args.ts';
import { archiveCommands } from './commands/archive.ts';
import { benchCommand } from './commands/bench.ts';
import { buildCommand } from './commands/build.ts';
import { checkCommand } from './commands/check.ts';
import { dockerfileCommands } from './commands/dockerfile.ts';
import { imageCommands } from './commands/images.ts';
import { importCommand } from './commands/import.ts';
import { registryCommands } from './commands/registry.ts';
import { runCommand, separateRunCommand } from './commands/run.ts';
import { serveCommand } from './commands/serve.ts';
import { storeCommands } from './commands/store.ts';
import { EXIT, exitCodeFor, formatError } from './errors.ts';
import { type CliContext, globalOptions } from './shared.ts';

export async function main(argv: readonly string[], ctx: CliContext = defaultContext()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const parser: Argv = globalOptions(yargs())
    .parserConfiguration(PARSER_CONFIGURATION)
    .middleware(restoreDashes)
    .scriptName('tsbuild')
    .usage('$0 [build] [OPTIONS] CONTEXT\n$0 COMMAND [OPTIONS]\n\nBuild OCI images from Dockerfiles.')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    .exitProcess(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message, error) => {
      if (error) throw error;
      const missing = /^Not enough non-option arguments/.test(message);
      throw new TsbuildError('USAGE', missing ? 'a required argument is missing' : message, {
        hint: missing
          ? 'run `tsbuild COMMAND --help` to see what it takes'
          : 'run `tsbuild --help` for usage',
      });
    })
    .epilog(
      "Exit codes: 0 success, 1 build or command failed (lint: findings), 2 usage error, 3 Dockerfile error, 130 cancelled; `run` exits with the container's code.",
    );
  skipHelpCache(parser);
  const setExit = (code: number) => {
    exitCode = code;
  };
  buildCommand(parser, ctx, setExit);
  imageCommands(parser, ctx);
  importCommand(parser, ctx);
  archiveCommands(parser, ctx);
  registryCommands(parser, ctx);
  runCommand(parser, ctx, setExit);
  storeCommands(parser, ctx);
  checkCommand(parser, ctx, setExit);
  dockerfileCommands(parser, ctx, setExit);
  benchCommand(parser, ctx);
  serveCommand(parser, ctx);
  parser.command('version', 'Print the versions of tsbuild, Node.js and the platform', {}, async () => {
    const platform = hostPlatform();
    ctx.out(
      `tsbuild ${await ctx.version()} (node ${process.version}, ${platform.os}/${platform.architecture})\n`,
    );
  });
  try {
    // With a callback yargs hands over its help text instead of printing it and exiting.
    await parser.parseAsync(joinDashValues(separateRunCommand(argv)), {}, (_error, _args, output) => {
      if (output !== '') ctx.out(`${output}\n`);
    });
    return exitCode;
  } catch (error) {
    const debug = argv.includes('--debug');
    ctx.err(`${formatError(error, { debug, sources: ctx.sources })}\n`);
    return exitCodeFor(error);
  }
}

/**
 * yargs renders a command's whole help before running its handler, to show it should the handler
 * fail later. This CLI never shows help on failure (`.fail()` throws), and for `build` (35
 * options through cliui's wrapping) that rendering was a large part of start-up. The hook is
 * yargs' internal API, absent from its types: when a yargs upgrade drops it, nothing changes but
 * speed.
 */
function skipHelpCache(parser: Argv): void {
  const internal = parser as unknown as {
    getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } };
  };
  const usage = internal.getInternalMethods?.().getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

function defaultContext(): CliContext {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    stdout: process.stdout,
    stderr: process.stderr,
    sources: new Map(),
    env: process.env,
    stdin: process.stdin,
    isTTY: process.stdout.isTTY === true,
    isErrTTY: process.stderr.isTTY === true,
    version: async () => {
      const { readFile } = await import('node:fs/promises');
      const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version: string;
      };
      return pkg.version;
    },
  };
}
