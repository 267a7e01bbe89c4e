/** `tsbuild [build] [OPTIONS] CONTEXT`, with docker build's option names (see ../build/flags.ts). */
import type { Argv } from 'yargs';
import { applyBuildFlags, toParsedBuild } from '../build/parse-args.ts';
import type { CliContext, GlobalArgs } from '../shared.ts';

export function buildCommand(parser: Argv, ctx: CliContext, setExit: (code: number) => void): void {
  parser.command<GlobalArgs>(
    ['build <context>', '$0 <context>'],
    'Build an image from a Dockerfile',
    (y) => applyBuildFlags(y) as Argv<GlobalArgs>,
    async (args) => {
      const parsed = toParsedBuild(args, ctx.env);
      setExit(await (await import('../build/run.ts')).runBuild(parsed, args, ctx));
    },
  );
}
