/**
 * The build command's flags as a typed table over the library's options:
 * every key of BuildOptions (and the output options) must name the flag
 * that sets it or say why no flag does, so an option cannot exist in the
 * library and be missing from the CLI, or the other way round.
 */
import type { Options } from 'yargs';
import { type BuildOptions, type BuildOutputOptions, TsbuildError } from '../../index.ts';
import {
  keyValues,
  parseBytes,
  parseCacheSpec,
  parseOutput,
  parseSecret,
  parseSsh,
  pullPolicy,
} from './values.ts';

export type LibraryBuildOptions = BuildOptions & BuildOutputOptions;
export type LibraryKey = keyof LibraryBuildOptions;

/** A flag that sets one library option; `convert` runs only when the flag was given. */
export interface FlagSpec<V> {
  readonly kind: 'flag';
  readonly name: string;
  readonly yargs: Options;
  readonly convert: (raw: unknown, env: NodeJS.ProcessEnv) => V;
}

export interface PositionalSpec {
  readonly kind: 'positional';
  readonly name: string;
  readonly describe: string;
}

/** An option no flag sets, and why (it is filled by the CLI itself, or not meant for users). */
export interface NotAFlag {
  readonly kind: 'not-a-flag';
  readonly why: string;
}

export type BuildFlagTable = {
  readonly [K in LibraryKey]-?: FlagSpec<LibraryBuildOptions[K]> | PositionalSpec | NotAFlag;
};

function str<V>(
  name: string,
  describe: string,
  convert: (value: string, env: NodeJS.ProcessEnv) => V,
  extra: Options = {},
): FlagSpec<V> {
  return {
    kind: 'flag',
    name,
    yargs: { type: 'string', describe, ...extra },
    convert: (raw, env) => convert(String(raw), env),
  };
}

function list<V>(
  name: string,
  describe: string,
  convert: (values: readonly string[], env: NodeJS.ProcessEnv) => V,
  extra: Options = {},
): FlagSpec<V> {
  return {
    kind: 'flag',
    name,
    yargs: { type: 'string', array: true, describe, ...extra },
    convert: (raw, env) => convert((raw as unknown[]).map(String), env),
  };
}

function bool(name: string, describe: string, extra: Options = {}): FlagSpec<boolean> {
  return {
    kind: 'flag',
    name,
    yargs: { type: 'boolean', describe, ...extra },
    convert: (raw) => raw === true,
  };
}

function num(name: string, describe: string, min: number): FlagSpec<number> {
  return {
    kind: 'flag',
    name,
    yargs: { type: 'number', describe },
    convert: (raw) => {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < min)
        throw new TsbuildError('USAGE', `--${name} ${String(raw)}: expected a number of at least ${min}`);
      return n;
    },
  };
}

function notAFlag(why: string): NotAFlag {
  return { kind: 'not-a-flag', why };
}

/** `--platform amd64` is docker's short form of `linux/amd64`; the build checks it is this host's. */
function platformText(text: string): string {
  return text.includes('/') ? text : `linux/${text}`;
}

function sourceDateEpoch(text: string): number {
  if (!/^\d{1,12}$/.test(text.trim()))
    throw new TsbuildError('USAGE', `--source-date-epoch ${text}: expected whole seconds since 1970`, {
      hint: 'e.g. --source-date-epoch $(git log -1 --format=%ct)',
    });
  return Number(text);
}

export const BUILD_FLAGS = {
  context: {
    kind: 'positional',
    name: 'context',
    describe: 'Build context: a directory, a tarball, or - (a tar on standard input)',
  },
  dockerfile: str(
    'file',
    'Dockerfile path (default: CONTEXT/Dockerfile; - reads it from standard input)',
    (v) => v,
    {
      alias: 'f',
    },
  ),
  dockerfileText: notAFlag('filled from standard input by `-f -`'),
  contextGeneration: notAFlag('set by tsbuild serve for its copies of client contexts'),
  tags: list('tag', 'Name and optionally a tag (name:tag); repeatable', (v) => v, { alias: 't' }),
  buildArgs: list(
    'build-arg',
    'Set a build-time variable (KEY=VALUE; bare KEY takes it from the environment)',
    (v, env) => keyValues(v, env, '--build-arg'),
  ),
  target: str('target', 'Build this stage and what it needs', (v) => v),
  noCache: bool('no-cache', 'Run every step, ignoring the cache'),
  noCacheFilter: list('no-cache-filter', 'Do not use the cache for these stages', (v) => v),
  pull: str('pull', 'Base images: always (bare --pull), missing (default), never', (v) => pullPolicy(v)),
  labels: list('label', 'Set image metadata (KEY=VALUE)', (v) => keyValues(v, {}, '--label')),
  network: str(
    'network',
    'Network of RUN steps: default (host), host or none',
    (v) => v as 'default' | 'host' | 'none',
    {
      choices: ['default', 'host', 'none'],
    },
  ),
  secrets: list('secret', 'Secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VAR', (v) =>
    v.map(parseSecret),
  ),
  ssh: list('ssh', 'SSH agent for RUN --mount=type=ssh: default or ID=SOCKET', (v, env) => parseSsh(v, env)),
  memoryBytes: str('memory', 'Memory limit of each RUN (e.g. 512m, 2g)', (v) => parseBytes(v, '--memory'), {
    alias: 'm',
  }),
  cpus: num('cpus', 'CPUs each RUN may use (e.g. 1.5)', 0.01),
  pidsLimit: num('pids-limit', 'Processes each RUN may have', 1),
  sourceDateEpoch: str(
    'source-date-epoch',
    'Clamp timestamps for reproducible images (default: $SOURCE_DATE_EPOCH)',
    sourceDateEpoch,
  ),
  checkErrors: notAFlag('set by the Dockerfile: `# check=error=true`'),
  maxParallelism: num('max-parallelism', 'Steps of this build running at once (default: CPUs)', 1),
  signal: notAFlag('Ctrl-C (SIGINT) or SIGTERM cancels the build'),
  onEvent: notAFlag('the progress view, chosen by --progress'),
  outputs: list(
    'output',
    'Output: type=image|registry|oci|docker|local|tar[,dest=PATH][,compression=gzip|zstd|none]; -o DIR = local, -o - = tar on stdout',
    (v) => v.map(parseOutput),
    { alias: 'o' },
  ),
  push: bool('push', 'Push every tag to its registry (same as -o type=registry)'),
  insecureRegistries: list('insecure-registry', 'Registry that may be spoken to over plain HTTP', (v) => v),
  cacheFrom: list('cache-from', 'External cache source (type=registry,ref=NAME)', (v) =>
    v.map((s) => parseCacheSpec(s, '--cache-from')),
  ),
  cacheTo: list('cache-to', 'Cache export destination (type=registry,ref=NAME)', (v) =>
    v.map((s) => parseCacheSpec(s, '--cache-to')),
  ),
  platform: str('platform', "Target platform; only this host's (e.g. linux/amd64)", platformText),
} as const satisfies BuildFlagTable;

/** Flags that drive the CLI itself, not the library build. */
export const CLI_BUILD_FLAGS = {
  progress: {
    type: 'string',
    choices: ['auto', 'tty', 'plain', 'json', 'quiet'],
    default: 'auto',
    describe:
      'Progress view: auto (tty in a terminal, else plain), tty, plain, json (one event per line), quiet',
  },
  quiet: { alias: 'q', type: 'boolean', describe: 'Print only the image ID (on standard output)' },
  iidfile: { type: 'string', describe: 'Write the image ID to this file' },
  'metadata-file': { type: 'string', describe: 'Write build result metadata (JSON) to this file' },
  print: {
    type: 'string',
    choices: ['outline'],
    describe:
      'Print information about the build instead of building: outline (stages, bases, build args, dependencies)',
  },
  check: {
    type: 'boolean',
    describe: 'Run the Dockerfile checks (lint) only, do not build; exit 1 on findings',
  },
  explain: { type: 'boolean', describe: 'Say why each step that ran missed the cache' },
  runtime: { type: 'string', describe: 'OCI runtime: runc (default), crun or a path' },
} as const satisfies Readonly<Record<string, Options>>;
