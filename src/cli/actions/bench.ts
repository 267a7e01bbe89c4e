/** What `tsbuild bench` does: run the scenarios and print the table or JSON. */
import { formatBench, summarize } from '../bench/report.ts';
import { runBench } from '../bench/scenarios.ts';
import { keyValues } from '../build/values.ts';
import type { CliContext, GlobalArgs } from '../shared.ts';

export interface BenchArgs extends GlobalArgs {
  readonly context: string;
  readonly file?: string;
  readonly target?: string;
  readonly 'build-arg'?: string[];
  readonly runs: number;
  readonly mutate?: string[];
  readonly format: 'table' | 'json';
  readonly compare?: string;
}

export async function benchCommand(args: BenchArgs, ctx: CliContext): Promise<void> {
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
}
