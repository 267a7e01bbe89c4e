/** `tsbuild check`: audit the store (re-hash blobs, validate images, records and snapshots). */
import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { checkStore, defaultRoot, formatCheckReport, isCorrupt, TsbuildError } from '../../index.ts';
import { EXIT } from '../errors.ts';
import type { CliContext, GlobalArgs } from '../shared.ts';

export function checkCommand(parser: Argv, ctx: CliContext, setExit: (code: number) => void): void {
  parser.command<GlobalArgs & { format: string }>(
    'check',
    'Verify the store: re-hash every blob, validate tags, manifests, configs, cache records and snapshots',
    (y) =>
      y
        .option('format', { type: 'string', choices: ['text', 'json'], default: 'text' })
        .epilog(
          'Exits 1 when anything is corrupt; leftovers of crashed processes are listed but do not fail.',
        ),
    async (args) => {
      const root = args.root ?? defaultRoot(ctx.env);
      // Checking a path that holds no store would create nothing and find nothing: say so instead.
      if (!existsSync(root)) {
        throw new TsbuildError('USAGE', `there is no store at ${root}`, {
          hint: 'pass the store with --root or TSBUILD_ROOT',
        });
      }
      const report = await checkStore(root);
      ctx.out(args.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatCheckReport(report));
      setExit(isCorrupt(report) ? EXIT.failed : EXIT.ok);
    },
  );
}
