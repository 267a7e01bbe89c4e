/**
 * `tsbuild [build] [OPTIONS] CONTEXT` parsed into the library's build
 * options plus the CLI's own settings, through the flag table.
 */
import yargs, { type Argv } from 'yargs';
import { TsbuildError } from '../../index.ts';
import { BUILD_FLAGS, CLI_BUILD_FLAGS, type LibraryBuildOptions, type LibraryKey } from './flags.ts';

/** What a build request holds before standard input and tarball contexts are read. */
export type BuildRequest = Omit<LibraryBuildOptions, 'signal' | 'onEvent' | 'dockerfileText'>;

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet';

export interface CliBuildSettings {
  readonly progress: ProgressMode;
  readonly iidfile?: string;
  readonly metadataFile?: string;
  /** Lint only, no build. */
  readonly check: boolean;
  /** `--print=outline`: describe the build, do not run it. */
  readonly print?: 'outline';
  readonly explain: boolean;
  readonly runtime?: string;
}

export interface ParsedBuildArgs {
  readonly options: BuildRequest;
  readonly settings: CliBuildSettings;
}

/** Adds the build command's positional and flags to a yargs command builder. */
export function applyBuildFlags(y: Argv): Argv {
  let out = y;
  for (const spec of Object.values(BUILD_FLAGS)) {
    if (spec.kind === 'positional')
      out = out.positional(spec.name, { type: 'string', describe: spec.describe, demandOption: true });
    else if (spec.kind === 'flag') out = out.option(spec.name, spec.yargs);
  }
  for (const [name, option] of Object.entries(CLI_BUILD_FLAGS)) out = out.option(name, option);
  return out
    .example('$0 -t my-httpd .', 'Build the Dockerfile in the current directory and tag it')
    .example('$0 build -f docker/Dockerfile --target test .', 'Build one stage of another Dockerfile')
    .example('$0 -t app -o type=oci,dest=app.tar .', 'Build and write an OCI image-layout archive')
    .example('tar -c . | $0 -t app -', 'The context as a tar on standard input');
}

type Args = Readonly<Record<string, unknown>>;

/** docker's flags take one value per occurrence: `-t a .` is a tag and a context, not two tags. */
export const PARSER_CONFIGURATION = { 'greedy-arrays': false, 'boolean-negation': false } as const;

/** The library options and CLI settings from yargs' parsed arguments. */
export function toParsedBuild(args: Args, env: NodeJS.ProcessEnv): ParsedBuildArgs {
  const options: Partial<Record<LibraryKey, unknown>> = {};
  for (const [key, spec] of Object.entries(BUILD_FLAGS) as [LibraryKey, (typeof BUILD_FLAGS)[LibraryKey]][]) {
    if (spec.kind === 'not-a-flag') continue;
    const raw = args[spec.name];
    if (raw === undefined) continue;
    options[key] = spec.kind === 'positional' ? String(raw) : spec.convert(raw, env);
  }
  if (options.sourceDateEpoch === undefined && env.SOURCE_DATE_EPOCH?.trim())
    options.sourceDateEpoch = BUILD_FLAGS.sourceDateEpoch.convert(env.SOURCE_DATE_EPOCH, env);
  if (options.context === '-' && options.dockerfile === '-')
    throw new TsbuildError('USAGE', 'the context and the Dockerfile cannot both come from standard input', {
      hint: 'give the Dockerfile with -f PATH inside the context tar, or the context as a directory',
    });
  const quiet = args.quiet === true;
  const progress = (quiet ? 'quiet' : (args.progress ?? 'auto')) as ProgressMode;
  const str = (name: string) => (typeof args[name] === 'string' ? (args[name] as string) : undefined);
  const iidfile = str('iidfile');
  const metadataFile = str('metadata-file');
  const runtime = str('runtime');
  return {
    options: options as BuildRequest,
    settings: {
      progress,
      check: args.check === true,
      ...(args.print === 'outline' && { print: 'outline' as const }),
      explain: args.explain === true,
      ...(iidfile !== undefined && { iidfile }),
      ...(metadataFile !== undefined && { metadataFile }),
      ...(runtime !== undefined && { runtime }),
    },
  };
}

/** Flags of the build command that take a value, with their aliases (`--file`, `-f`, ...). */
function valueFlags(): Set<string> {
  const out = new Set<string>();
  for (const spec of Object.values(BUILD_FLAGS)) {
    if (spec.kind !== 'flag' || spec.yargs.type === 'boolean') continue;
    out.add(`--${spec.name}`);
    const alias = spec.yargs.alias;
    for (const a of alias === undefined ? [] : Array.isArray(alias) ? alias : [alias])
      out.add(a.length === 1 ? `-${a}` : `--${a}`);
  }
  return out;
}

/** Stands for a lone `-` while yargs parses: it turns `-` positionals into ''. */
const DASH = '\u0000-';

/**
 * docker reads `-` as standard input or output (`-f -`, `-o -`, a `-` context). yargs reads a
 * lone `-` as a flag value of its own and turns a `-` positional into '', so: `-f -` is joined
 * into `-f=-`, and a `-` positional travels as a placeholder that {@link restoreDashes} undoes.
 */
export function joinDashValues(argv: readonly string[]): string[] {
  const flags = valueFlags();
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (flags.has(word) && argv[i + 1] === '-') {
      out.push(`${word}=-`);
      i++;
    } else out.push(word === '-' ? DASH : word);
  }
  return out;
}

/** yargs middleware: the `-` placeholders back to `-`. */
export function restoreDashes(args: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(args)) {
    if (value === DASH) args[key] = '-';
    else if (Array.isArray(value)) args[key] = value.map((v) => (v === DASH ? '-' : v));
  }
}

/** Parses the arguments of `tsbuild build` (with or without the word `build`). */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ParsedBuildArgs {
  const words = argv[0] === 'build' ? argv.slice(1) : [...argv];
  const args = yargs(joinDashValues(words))
    .parserConfiguration(PARSER_CONFIGURATION)
    .middleware(restoreDashes)
    .command('$0 <context>', 'build', applyBuildFlags)
    .strict()
    .help(false)
    .version(false)
    .exitProcess(false)
    .fail((message, error) => {
      if (error) throw error;
      throw /^Not enough non-option arguments/.test(message)
        ? new TsbuildError('USAGE', 'tsbuild build needs a build context', {
            hint: 'give a directory (e.g. `.`), a tarball, or - for a tar on standard input',
          })
        : new TsbuildError('USAGE', message, { hint: 'run `tsbuild build --help` for usage' });
    })
    .parseSync();
  return toParsedBuild(args, env);
}
