/** `tsbuild import`: docker import, a root filesystem tarball made into a one-layer image. */
import type { Argv } from 'yargs';
import type { ImportArgs } from '../actions/import.ts';
import type { CliContext } from '../shared.ts';

export function importCommand(parser: Argv, ctx: CliContext): void {
  parser.command<ImportArgs>(
    'import <file> <reference>',
    'Make a one-layer image from a root filesystem tarball (- for standard input)',
    (y) =>
      y
        .positional('file', {
          type: 'string',
          demandOption: true,
          describe: 'Rootfs tarball (plain, gzip or zstd), or -',
        })
        .positional('reference', { type: 'string', demandOption: true, describe: 'name[:tag]' })
        .option('message', { alias: 'm', type: 'string', describe: 'Comment for the history entry' })
        .example('$0 import rootfs.tar busybox:local', 'The base image of the demo')
        .example('tar -C rootfs -c . | $0 import - mybase', 'From standard input'),
    async (args) => (await import('../actions/import.ts')).importCommand(args, ctx),
  );
}
