/** `tsbuild bench`: cold, no-op and mutation rebuild times of a context, and cache hit ratios. */
import type { Argv } from 'yargs';
import { formatBench, summarize } from '../bench/report.ts';
import { runBench } from '../bench/scenarios.ts';
import { keyValues } from '../build/values.ts';
import type { CliContext, GlobalArgs } from '../shared.ts';

interface BenchArgs extends GlobalArgs {
  readonly context: string;
  readonly file?: string;
  readonly target?: string;
  readonly 'build-arg'?: string[];
  readonly runs: number;
  readonly mutate?: string[];
  readonly format: 'table' | 'json';
  readonly compare?: string;
}

export function benchCommand(parser: Argv, ctx: CliContext): void {
  parser.command<BenchArgs>(
    'bench <context>',
    'Measure cold, no-op and one-file-changed rebuilds on a copy of CONTEXT',
    (y) =>
      y
        .positional('context', { type: 'string', demandOption: true })
        .option('file', { alias: 'f', type: 'string', describe: 'Dockerfile (default: CONTEXT/Dockerfile)' })
        .option('target', { type: 'string' })
        .option('build-arg', { type: 'string', array: true })
        .option('runs', { type: 'number', default: 3, describe: 'Runs per scenario' })
        .option('mutate', {
          type: 'string',
          array: true,
          describe: 'File (relative to CONTEXT) changed before each rebuild of its scenario; repeatable',
        })
        .option('format', { type: 'string', choices: ['table', 'json'], default: 'table' })
        .option('compare', {
          type: 'string',
          describe: 'Shell command timed the same way ({context} = the context copy)',
        })
        .example('$0 bench fixtures/my-httpd --mutate index.html', 'Cold, no-op, and index.html edited')
        .example(
          "$0 bench . --compare 'docker build -q -t cmp {context}'",
          'Against docker build (no-op and mutations)',
        ),
    async (args) => {
      const scenarios = await runBench({
        context: args.context,
        ...(args.file !== undefined && { dockerfile: args.file }),
        ...(args.target !== undefined && { target: args.target }),
        buildArgs: keyValues(args['build-arg'], ctx.env, '--build-arg'),
        runs: Math.max(1, Math.trunc(args.runs)),
        mutate: args.mutate ?? [],
        ...(args.compare !== undefined && { compare: args.compare }),
        ...(args.root !== undefined && { root: args.root }),
        say: (line) => ctx.err(`bench: ${line}\n`),
      });
      const summaries = scenarios.map(summarize);
      ctx.out(args.format === 'json' ? `${JSON.stringify(summaries, null, 2)}\n` : formatBench(summaries));
    },
  );
}
