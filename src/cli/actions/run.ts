/** What `tsbuild run` does: a container from an image, host network, removed on exit. */
import { runImage, TsbuildError } from '../../index.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';

export interface RunArgs extends GlobalArgs {
  readonly image: string;
  readonly command?: string[];
  readonly rm?: boolean;
  readonly env?: string[];
  readonly entrypoint?: string;
  readonly workdir?: string;
  readonly user?: string;
  readonly network?: string;
  readonly runtime?: string;
  readonly _?: (string | number)[];
}

/** Runs the container; returns its exit code (0 when stopped by Ctrl-C or SIGTERM). */
export async function runCommand(args: RunArgs, ctx: CliContext): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort(new TsbuildError('CANCELLED', 'container stopped'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await runImage({
      ...rootOption(args),
      image: args.image,
      // Words after IMAGE arrive after the `--` that separateRunCommand put there.
      command: [...(args.command ?? []), ...(args._ ?? []).slice(1)].map(String),
      ...(args.env !== undefined && { env: args.env }),
      ...(args.entrypoint !== undefined && { entrypoint: args.entrypoint }),
      ...(args.workdir !== undefined && { workdir: args.workdir }),
      ...(args.user !== undefined && { user: args.user }),
      network: args.network === 'none' ? 'none' : 'host',
      ...(args.runtime !== undefined && { runtime: args.runtime }),
      signal: controller.signal,
      onOutput: (stream, chunk) =>
        stream === 'stdout' ? ctx.out(chunk.toString()) : ctx.err(chunk.toString()),
    });
  } catch (err) {
    if (controller.signal.aborted) return 0;
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
