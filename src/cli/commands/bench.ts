/** `tsbuild bench`: cold, no-op and mutation rebuild times of a context, and cache hit ratios. */
import type { Argv } from 'yargs';
import type { BenchArgs } from '../actions/bench.ts';
import type { CliContext } from '../shared.ts';

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
    async (args) => (await import('../actions/bench.ts')).benchCommand(args, ctx),
  );
}
