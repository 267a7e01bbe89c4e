/** What `tsbuild check` does: audit the store and report. */
import { existsSync } from 'node:fs';
import { checkStore, defaultRoot, formatCheckReport, isCorrupt, TsbuildError } from '../../index.ts';
import { EXIT } from '../errors.ts';
import type { CliContext, GlobalArgs } from '../shared.ts';

export interface CheckArgs extends GlobalArgs {
  readonly format: string;
}

export async function checkCommand(args: CheckArgs, ctx: CliContext): Promise<number> {
  const root = args.root ?? defaultRoot(ctx.env);
  // Checking a path that holds no store would create nothing and find nothing: say so instead.
  if (!existsSync(root)) {
    throw new TsbuildError('USAGE', `there is no store at ${root}`, {
      hint: 'pass the store with --root or TSBUILD_ROOT',
    });
  }
  const report = await checkStore(root);
  ctx.out(args.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatCheckReport(report));
  return isCorrupt(report) ? EXIT.failed : EXIT.ok;
}
