/** Moving images in and out of the store as archives: `save` and `load`. */
import type { Argv } from 'yargs';
import type { LoadArgs, SaveArgs } from '../actions/archive.ts';
import type { CliContext } from '../shared.ts';

/** The store and the archive code load only when one of these commands runs. */
const actions = () => import('../actions/archive.ts');

export function archiveCommands(parser: Argv, ctx: CliContext): void {
  parser.command<SaveArgs>(
    'save <images..>',
    'Write images to a tar archive (docker load format, or an OCI image layout)',
    (y) =>
      y
        .positional('images', { type: 'string', array: true, demandOption: true })
        .option('output', {
          alias: 'o',
          type: 'string',
          describe: 'Archive file to write (default: standard output when it is not a terminal)',
        })
        .option('format', { type: 'string', choices: ['docker', 'oci'], default: 'docker' })
        .option('compression', {
          type: 'string',
          choices: ['gzip', 'zstd', 'none'],
          default: 'gzip',
          describe: 'Layer compression inside the archive',
        })
        .option('compression-level', { type: 'number', describe: 'gzip 1-9, zstd 1-22' })
        .example('$0 save my-httpd -o my-httpd.tar', 'An archive `docker load -i my-httpd.tar` accepts')
        .example('$0 save --format oci a b -o ab.tar', 'Two images in one OCI image-layout archive'),
    async (args) => (await actions()).saveCommand(args, ctx),
  );

  parser.command<LoadArgs>(
    'load',
    'Load images from a tar archive (docker save or OCI layout; compressed or not)',
    (y) =>
      y
        .option('input', {
          alias: 'i',
          type: 'string',
          describe: 'Archive to read (default: standard input)',
        })
        .option('quiet', { alias: 'q', type: 'boolean', describe: 'Print nothing' })
        .example('$0 load -i my-httpd.tar', 'Load what `docker save` or `tsbuild save` wrote')
        .example('docker save busybox | $0 load', 'Straight from Docker'),
    async (args) => (await actions()).loadCommand(args, ctx),
  );
}
