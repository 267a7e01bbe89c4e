/** `tsbuild import`: docker import, a root filesystem tarball made into a one-layer image. */
import type { Argv } from 'yargs';
import { importImage } from '../../index.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';
import { handleInterrupts } from '../signals.ts';

interface ImportArgs extends GlobalArgs {
  readonly file: string;
  readonly reference: string;
  readonly message?: string;
}

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
    async (args) => {
      const interrupts = handleInterrupts('import', (t) => ctx.err(`${t}\n`));
      try {
        const source = args.file === '-' ? (ctx.stdin as AsyncIterable<Uint8Array>) : args.file;
        const id = await importImage(source, args.reference, {
          ...rootOption(args),
          ...(args.message !== undefined && { message: args.message }),
          signal: interrupts.signal,
        });
        ctx.out(`${id}\n`);
      } finally {
        interrupts.dispose();
      }
    },
  );
}
