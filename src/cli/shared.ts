/** What every command shares: output streams, global options, the store root. */
import type { Argv } from 'yargs';

export interface CliContext {
  out(text: string): void;
  err(text: string): void;
  /** Dockerfile texts by file name, filled by `build` so errors can show the offending line. */
  readonly sources: Map<string, string>;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
  readonly isTTY: boolean;
  version(): Promise<string>;
}

export interface GlobalArgs {
  readonly root?: string;
  readonly debug?: boolean;
}

export function globalOptions(parser: Argv): Argv<GlobalArgs> {
  return parser
    .option('root', {
      type: 'string',
      global: true,
      describe:
        'Store directory (default: $TSBUILD_ROOT, /var/lib/tsbuild for root, else $XDG_DATA_HOME/tsbuild)',
    })
    .option('debug', { type: 'boolean', global: true, describe: 'Print stack traces with errors' });
}

/** `--root` if given; the library applies TSBUILD_ROOT and the defaults otherwise. */
export function rootOption(args: GlobalArgs): { root?: string } {
  return args.root === undefined ? {} : { root: args.root };
}
