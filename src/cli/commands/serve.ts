/** `tsbuild serve`: the build daemon on a UNIX socket (and optionally loopback TCP). */
import type { Argv } from 'yargs';
import { DEFAULT_SOCKET } from '../../index.ts';
import type { ServeArgs } from '../actions/serve.ts';
import type { CliContext } from '../shared.ts';

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
        .option('max-parallelism', {
          type: 'number',
          describe: 'Steps running at once across all builds (default: the larger of 8 and the CPUs)',
        })
        .option('gc-keep-storage', {
          type: 'string',
          describe:
            'Automatic GC after builds keeps the store under this size (e.g. 20GB; off); default TSBUILD_GC_KEEP_STORAGE, else 10% of its disk',
        })
        .example('$0 serve --group docker', 'Serve root and the docker group on /run/tsbuild/tsbuild.sock')
        .example('$0 --host unix:///run/tsbuild/tsbuild.sock -t app .', 'A client build through it'),
    async (args) => (await import('../actions/serve.ts')).serveCommand(args, ctx),
  );
}
