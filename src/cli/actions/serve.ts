/** What `tsbuild serve` does: run the build daemon until SIGINT or SIGTERM. */
import { readFile } from 'node:fs/promises';
import { parseKeepStorage, startDaemon, TsbuildError } from '../../index.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';

export interface ServeArgs extends GlobalArgs {
  readonly socket: string;
  readonly group?: string;
  readonly tcp?: string;
  readonly 'token-file'?: string;
  readonly runtime?: string;
  readonly 'max-parallelism'?: number;
  readonly 'gc-keep-storage'?: string;
}

async function tcpListener(
  args: ServeArgs,
): Promise<{ host: string; port: number; token: string } | undefined> {
  if (args.tcp === undefined) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(args.tcp);
  if (m === null) throw new TsbuildError('USAGE', `--tcp ${args.tcp}: expected HOST:PORT`);
  if (args['token-file'] === undefined)
    throw new TsbuildError('USAGE', '--tcp needs --token-file', {
      hint: 'write a random token to a file readable by root only and give its path',
    });
  const token = (await readFile(args['token-file'], 'utf8')).trim();
  if (token.length < 16)
    throw new TsbuildError('USAGE', `the token in ${args['token-file']} is shorter than 16 characters`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]), token };
}

export async function serveCommand(args: ServeArgs, ctx: CliContext): Promise<void> {
  const tcp = await tcpListener(args);
  const daemon = await startDaemon({
    ...rootOption(args),
    socket: args.socket,
    ...(args.group !== undefined && { group: args.group }),
    ...(tcp !== undefined && { tcp }),
    ...(args.runtime !== undefined && { runtime: args.runtime }),
    ...(args['max-parallelism'] !== undefined && { maxParallelism: args['max-parallelism'] }),
    ...(args['gc-keep-storage'] !== undefined && {
      gcKeepStorage: parseKeepStorage(args['gc-keep-storage'], '--gc-keep-storage'),
    }),
    version: await ctx.version(),
    log: (line) => ctx.err(`${new Date().toISOString()} ${line}\n`),
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  ctx.err('stopping the daemon\n');
  await daemon.close();
}
