/** `tsbuild [build] [OPTIONS] CONTEXT`, with docker build's option names. */
import { writeFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import {
  type BuildOptions,
  createBuilder,
  type PullPolicy,
  type SecretSpec,
  TsbuildError,
} from '../../index.ts';
import { EXIT } from '../errors.ts';
import { createPlainReporter } from '../progress/plain.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';

interface BuildArgs extends GlobalArgs {
  readonly context: string;
  readonly tag?: string[];
  readonly file?: string;
  readonly 'build-arg'?: string[];
  readonly target?: string;
  readonly 'no-cache'?: boolean;
  readonly 'no-cache-filter'?: string[];
  readonly pull?: string;
  readonly progress?: string;
  readonly quiet?: boolean;
  readonly label?: string[];
  readonly network?: string;
  readonly secret?: string[];
  readonly ssh?: string[];
  readonly iidfile?: string;
  readonly explain?: boolean;
  readonly 'max-parallelism'?: number;
  readonly 'source-date-epoch'?: number;
  readonly runtime?: string;
}

/** `KEY=VALUE` list to a record; a bare `KEY` takes its value from the environment, as docker does. */
export function keyValues(
  items: readonly string[] | undefined,
  env: NodeJS.ProcessEnv,
  what: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items ?? []) {
    const i = item.indexOf('=');
    if (i === 0)
      throw new TsbuildError('USAGE', `${what} "${item}" has no name`, { hint: `write ${what} NAME=VALUE` });
    if (i < 0) {
      const value = env[item];
      if (value !== undefined) out[item] = value;
    } else {
      out[item.slice(0, i)] = item.slice(i + 1);
    }
  }
  return out;
}

/** `--secret id=x,src=FILE` / `id=x,env=VAR` (type=file|env accepted as docker does). */
export function parseSecret(text: string): SecretSpec {
  const fields = new Map(
    text.split(',').map((part) => {
      const i = part.indexOf('=');
      return (i < 0 ? [part, ''] : [part.slice(0, i), part.slice(i + 1)]) as [string, string];
    }),
  );
  const id = fields.get('id');
  if (id === undefined || id === '')
    throw new TsbuildError('USAGE', `--secret ${text}: id= is required`, {
      hint: 'e.g. --secret id=npmrc,src=$HOME/.npmrc',
    });
  const src = fields.get('src') ?? fields.get('source');
  const env = fields.get('env');
  if (src === undefined && env === undefined) return { id, env: id };
  return { id, ...(src !== undefined && { src }), ...(env !== undefined && { env }) };
}

function pullPolicy(value: string | undefined): PullPolicy {
  if (value === undefined || value === 'false' || value === 'missing') return 'missing';
  if (value === '' || value === 'true' || value === 'always') return 'always';
  if (value === 'never') return 'never';
  throw new TsbuildError('USAGE', `--pull=${value}: expected always, missing or never`);
}

export function buildCommand(parser: Argv, ctx: CliContext, setExit: (code: number) => void): void {
  parser.command<BuildArgs>(
    ['build <context>', '$0 <context>'],
    'Build an image from a Dockerfile',
    (y) =>
      y
        .positional('context', { type: 'string', describe: 'Build context directory', demandOption: true })
        .option('tag', {
          alias: 't',
          type: 'string',
          array: true,
          describe: 'Name and optionally a tag (name:tag); repeatable',
        })
        .option('file', {
          alias: 'f',
          type: 'string',
          describe: 'Dockerfile path (default: CONTEXT/Dockerfile; - for stdin)',
        })
        .option('build-arg', {
          type: 'string',
          array: true,
          describe: 'Set a build-time variable (KEY=VALUE)',
        })
        .option('target', { type: 'string', describe: 'Build this stage and what it needs' })
        .option('no-cache', { type: 'boolean', describe: 'Run every step, ignoring the cache' })
        .option('no-cache-filter', {
          type: 'string',
          array: true,
          describe: 'Do not use the cache for these stages',
        })
        .option('pull', {
          type: 'string',
          describe: 'Base image policy: always (bare --pull), missing (default), never',
        })
        .option('progress', {
          type: 'string',
          choices: ['auto', 'tty', 'plain', 'json', 'quiet'],
          default: 'plain',
          describe: 'Progress output',
        })
        .option('quiet', { alias: 'q', type: 'boolean', describe: 'Print only the image ID' })
        .option('label', { type: 'string', array: true, describe: 'Set image metadata (KEY=VALUE)' })
        .option('network', {
          type: 'string',
          choices: ['default', 'host', 'none'],
          describe: 'Network mode of RUN steps (default: host network)',
        })
        .option('secret', {
          type: 'string',
          array: true,
          describe: 'Secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VAR',
        })
        .option('ssh', {
          type: 'string',
          array: true,
          describe: 'SSH agent socket for RUN --mount=type=ssh: default or ID=SOCKET',
        })
        .option('iidfile', { type: 'string', describe: 'Write the image ID to this file' })
        .option('explain', { type: 'boolean', describe: 'Say why each step that ran missed the cache' })
        .option('max-parallelism', {
          type: 'number',
          describe: 'Steps of this build running at once (default: CPUs)',
        })
        .option('source-date-epoch', {
          type: 'number',
          describe: 'Clamp timestamps for reproducible images (default: $SOURCE_DATE_EPOCH)',
        })
        .option('runtime', { type: 'string', describe: 'OCI runtime: runc (default), crun or a path' })
        .example('$0 -t my-httpd .', 'Build the Dockerfile in the current directory and tag it')
        .example('$0 build -f docker/Dockerfile --target test .', 'Build one stage of another Dockerfile'),
    async (args) => {
      const quiet = args.quiet === true || args.progress === 'quiet';
      const onEvent = quiet
        ? undefined
        : args.progress === 'json'
          ? (e: unknown) =>
              ctx.out(
                `${JSON.stringify(e, (_k, v) => (v instanceof Error ? { message: v.message, code: (v as TsbuildError).code } : v))}\n`,
              )
          : createPlainReporter({
              write: (t) => ctx.err(t),
              ...(args.explain === true && { explain: true }),
            });
      const ssh: Record<string, string> = {};
      for (const item of args.ssh ?? []) {
        const [id, socket] = item.includes('=')
          ? (item.split('=', 2) as [string, string])
          : [item, ctx.env.SSH_AUTH_SOCK ?? ''];
        ssh[id] = socket;
      }
      const sde =
        args['source-date-epoch'] ??
        (ctx.env.SOURCE_DATE_EPOCH === undefined ? undefined : Number(ctx.env.SOURCE_DATE_EPOCH));
      let dockerfileText: string | undefined;
      if (args.file === '-') {
        const chunks: Buffer[] = [];
        for await (const chunk of ctx.stdin) chunks.push(Buffer.from(chunk as Buffer));
        dockerfileText = Buffer.concat(chunks).toString('utf8');
      }
      const options: BuildOptions = {
        context: args.context,
        ...(args.file !== undefined && args.file !== '-' && { dockerfile: args.file }),
        ...(dockerfileText !== undefined && { dockerfileText }),
        tags: args.tag ?? [],
        buildArgs: keyValues(args['build-arg'], ctx.env, '--build-arg'),
        ...(args.target !== undefined && { target: args.target }),
        ...(args['no-cache'] === true && { noCache: true }),
        ...(args['no-cache-filter'] !== undefined && { noCacheFilter: args['no-cache-filter'] }),
        pull: pullPolicy(args.pull),
        labels: keyValues(args.label, {}, '--label'),
        ...(args.network !== undefined && { network: args.network as 'default' | 'host' | 'none' }),
        secrets: (args.secret ?? []).map(parseSecret),
        ssh,
        ...(args['max-parallelism'] !== undefined && { maxParallelism: args['max-parallelism'] }),
        ...(sde !== undefined && !Number.isNaN(sde) && { sourceDateEpoch: sde }),
        ...(onEvent !== undefined && { onEvent }),
      };
      const builder = await createBuilder({
        ...rootOption(args),
        ...(args.runtime !== undefined && { runtime: args.runtime }),
      });
      const controller = new AbortController();
      const onSigint = () => controller.abort(new TsbuildError('CANCELLED', 'build cancelled'));
      process.once('SIGINT', onSigint);
      process.once('SIGTERM', onSigint);
      try {
        const result = await builder.build({ ...options, signal: controller.signal });
        if (args.iidfile !== undefined) await writeFile(args.iidfile, result.imageId);
        if (quiet) ctx.out(`${result.imageId}\n`);
        else {
          ctx.err(`writing image ${result.imageId}\n`);
          for (const tag of result.tags) ctx.err(`naming to ${tag}\n`);
        }
        setExit(EXIT.ok);
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
        await builder.close();
      }
    },
  );
}
