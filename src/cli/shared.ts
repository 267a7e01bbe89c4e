/** What every command shares: output streams, global options, the store root. */
import type { Argv } from 'yargs';

export interface CliContext {
  out(text: string): void;
  err(text: string): void;
  /** Standard output as a stream, for archives written to it. */
  readonly stdout: NodeJS.WritableStream;
  /** Standard error as a stream: the live progress view draws on it. */
  readonly stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Dockerfile texts by file name, filled by `build` so errors can show the offending line. */
  readonly sources: Map<string, string>;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
  /** Whether standard output is a terminal. */
  readonly isTTY: boolean;
  /** Whether standard error is a terminal (where progress goes). */
  readonly isErrTTY: boolean;
  version(): Promise<string>;
}

export interface GlobalArgs {
  readonly root?: string;
  readonly debug?: boolean;
  readonly host?: string;
}

export function globalOptions(parser: Argv): Argv<GlobalArgs> {
  return parser
    .option('root', {
      type: 'string',
      global: true,
      describe:
        'Store directory (default: $TSBUILD_ROOT, /var/lib/tsbuild for root, else $XDG_DATA_HOME/tsbuild)',
    })
    .option('host', {
      alias: 'H',
      type: 'string',
      global: true,
      describe: 'Daemon to use: unix:///path/to.sock or tcp://127.0.0.1:PORT (default: $TSBUILD_HOST)',
    })
    .option('debug', { type: 'boolean', global: true, describe: 'Print stack traces with errors' });
}

/** `--root` if given; the library applies TSBUILD_ROOT and the defaults otherwise. */
export function rootOption(args: GlobalArgs): { root?: string } {
  return args.root === undefined ? {} : { root: args.root };
}

/** The daemon address from `--host` or TSBUILD_HOST; undefined means work in-process. */
export function hostOf(args: GlobalArgs, env: NodeJS.ProcessEnv): string | undefined {
  const host = args.host ?? env.TSBUILD_HOST;
  return host === undefined || host === '' ? undefined : host;
}
