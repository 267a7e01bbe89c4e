/** Store commands: `du`, `prune`, and `logs` (the step logs kept with each build record). */
import type { Argv } from 'yargs';
import type { DuArgs, LogsArgs, PruneArgs } from '../actions/store.ts';
import type { CliContext } from '../shared.ts';

/** The store's accounting loads only when one of these commands runs. */
const actions = () => import('../actions/store.ts');

export function storeCommands(parser: Argv, ctx: CliContext): void {
  parser.command<DuArgs>(
    ['du', 'system df'],
    'Show the space the store uses, by kind',
    (y) =>
      y
        .option('verbose', {
          alias: 'v',
          type: 'boolean',
          describe: 'One line per cache record, least recently used first',
        })
        .option('format', { type: 'string', choices: ['table', 'json'], default: 'table' })
        .example('$0 du -v', 'What each cache record holds'),
    async (args) => (await actions()).duCommand(args, ctx),
  );

  parser.command<PruneArgs>(
    ['prune', 'builder prune'],
    'Free space: unused cache records, orphan snapshots and blobs, old build logs',
    (y) =>
      y
        .option('all', {
          alias: 'a',
          type: 'boolean',
          describe: 'Remove every cache record no running build holds',
        })
        .option('filter', {
          type: 'string',
          array: true,
          describe: 'until=DURATION: records unused for that long',
        })
        .option('keep-storage', {
          type: 'string',
          describe: 'Remove least recently used records down to this size (e.g. 10g)',
        })
        .option('force', {
          alias: 'f',
          type: 'boolean',
          describe: 'Accepted for docker compatibility (never asks)',
        })
        .example('$0 prune --filter until=24h', 'Records unused for a day')
        .example('$0 prune --keep-storage 5g', 'Keep the store under 5 GiB'),
    async (args) => (await actions()).pruneCommand(args, ctx),
  );

  parser.command<LogsArgs>(
    'logs [build] [step]',
    'Print the full output of a build step (no BUILD: list recent builds; no STEP: list its steps)',
    (y) =>
      y
        .positional('build', { type: 'string', describe: 'Build id, a unique prefix of it, or latest' })
        .positional('step', {
          type: 'string',
          describe: 'Step number (#N of the progress output) or part of its name',
        })
        .option('format', { type: 'string', choices: ['table', 'json'], default: 'table' })
        .example('$0 logs', 'Recent builds')
        .example('$0 logs latest 5', 'Everything step #5 of the last build printed'),
    async (args) => (await actions()).logsCommand(args, ctx),
  );
}
