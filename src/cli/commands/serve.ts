/** `tsbuild serve`: the build daemon on a UNIX socket (and optionally loopback TCP). */
import { readFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { DEFAULT_SOCKET, startDaemon, TsbuildError } from '../../index.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';

interface ServeArgs extends GlobalArgs {
  readonly socket: string;
  readonly group?: string;
  readonly tcp?: string;
  readonly 'token-file'?: string;
  readonly runtime?: string;
  readonly 'max-parallelism'?: number;
}

export function serveCommand(parser: Argv, ctx: CliContext): void {
  parser.command<ServeArgs>(
    'serve',
    'Run the build daemon: one store and warm caches shared by every client (--host)',
    (y) =>
      y
        .option('socket', {
          type: 'string',
          default: DEFAULT_SOCKET,
          describe: 'UNIX socket to listen on (mode 0660)',
        })
        .option('group', {
          type: 'string',
          describe: 'Group (name or gid) that may use the socket besides root',
        })
        .option('tcp', {
          type: 'string',
          describe: 'Also listen on loopback TCP, e.g. 127.0.0.1:8375 (needs --token-file)',
        })
        .option('token-file', {
          type: 'string',
          describe: 'File holding the token TCP clients send (TSBUILD_TOKEN)',
        })
        .option('runtime', { type: 'string', describe: 'OCI runtime: runc (default), crun or a path' })
        .option('max-parallelism', { type: 'number', describe: 'Steps running at once across all builds' })
        .example('$0 serve --group docker', 'Serve root and the docker group on /run/tsbuild/tsbuild.sock')
        .example('$0 --host unix:///run/tsbuild/tsbuild.sock -t app .', 'A client build through it'),
    async (args) => {
      let tcp: { host: string; port: number; token: string } | undefined;
      if (args.tcp !== undefined) {
        const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(args.tcp);
        if (m === null) throw new TsbuildError('USAGE', `--tcp ${args.tcp}: expected HOST:PORT`);
        if (args['token-file'] === undefined)
          throw new TsbuildError('USAGE', '--tcp needs --token-file', {
            hint: 'write a random token to a file readable by root only and give its path',
          });
        const token = (await readFile(args['token-file'], 'utf8')).trim();
        if (token.length < 16)
          throw new TsbuildError('USAGE', `the token in ${args['token-file']} is shorter than 16 characters`);
        tcp = { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]), token };
      }
      const daemon = await startDaemon({
        ...rootOption(args),
        socket: args.socket,
        ...(args.group !== undefined && { group: args.group }),
        ...(tcp !== undefined && { tcp }),
        ...(args.runtime !== undefined && { runtime: args.runtime }),
        ...(args['max-parallelism'] !== undefined && { maxParallelism: args['max-parallelism'] }),
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
    },
  );
}
