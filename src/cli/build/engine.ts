/**
 * The in-process build engine (parser, solver, executor, image store), loaded
 * only when a build runs without a daemon: a local Builder and `--print=outline`.
 */
import { type Builder, createBuilder, outlineBuild, withBuildRecords } from '../../index.ts';
import { EXIT } from '../errors.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';
import type { ParsedBuildArgs } from './parse-args.ts';

export async function openLocalBuilder(parsed: ParsedBuildArgs, args: GlobalArgs): Promise<Builder> {
  const builder = await createBuilder({
    ...rootOption(args),
    ...(parsed.settings.runtime !== undefined && { runtime: parsed.settings.runtime }),
  });
  return withBuildRecords(builder);
}

/** `--print=outline`: the stages the build would run, nothing built. */
export async function printOutline(
  parsed: ParsedBuildArgs,
  args: GlobalArgs,
  ctx: CliContext,
): Promise<number> {
  const { text } = await outlineBuild({ ...parsed.options, ...rootOption(args) });
  ctx.out(text);
  return EXIT.ok;
}
