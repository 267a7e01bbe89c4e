/** `tsbuild check`: audit the store (re-hash blobs, validate images, records and snapshots). */
import type { Argv } from 'yargs';
import type { CheckArgs } from '../actions/check.ts';
import type { CliContext } from '../shared.ts';

export function checkCommand(parser: Argv, ctx: CliContext, setExit: (code: number) => void): void {
  parser.command<CheckArgs>(
    'check',
    'Verify the store: re-hash every blob, validate tags, manifests, configs, cache records and snapshots',
    (y) =>
      y
        .option('format', { type: 'string', choices: ['text', 'json'], default: 'text' })
        .epilog(
          'Exits 1 when anything is corrupt; leftovers of crashed processes are listed but do not fail.',
        ),
    async (args) => setExit(await (await import('../actions/check.ts')).checkCommand(args, ctx)),
  );
}
