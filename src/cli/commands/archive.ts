/** Moving images in and out of the store as archives: `save` and `load`. */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { load, save, TsbuildError } from '../../index.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';

interface SaveArgs extends GlobalArgs {
  readonly images: string[];
  readonly output?: string;
  readonly format: 'docker' | 'oci';
  readonly compression: 'gzip' | 'zstd' | 'none';
  readonly 'compression-level'?: number;
}

interface LoadArgs extends GlobalArgs {
  readonly input?: string;
  readonly quiet?: boolean;
}

/** Writes through a temporary file renamed into place, so a failed save leaves no half archive. */
async function toFile(path: string, write: (out: NodeJS.WritableStream) => Promise<unknown>): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  const file = createWriteStream(temp);
  try {
    await write(file);
    await new Promise<void>((resolve, reject) =>
      file.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    await rename(temp, path);
  } catch (error) {
    file.destroy();
    await rm(temp, { force: true });
    throw error;
  }
}

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
    async (args) => {
      const options = {
        ...rootOption(args),
        format: args.format,
        compression: args.compression,
        ...(args['compression-level'] !== undefined && { compressionLevel: args['compression-level'] }),
      };
      if (args.output !== undefined && args.output !== '-') {
        await toFile(args.output, (out) => save(args.images, out, options));
        return;
      }
      if (ctx.isTTY)
        throw new TsbuildError('USAGE', 'refusing to write an image archive to a terminal', {
          hint: 'give a file with -o FILE, or redirect standard output',
        });
      await save(args.images, ctx.stdout, options);
    },
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
    async (args) => {
      const source =
        args.input === undefined || args.input === '-'
          ? (ctx.stdin as AsyncIterable<Uint8Array>)
          : args.input;
      const loaded = await load(source, rootOption(args));
      if (args.quiet === true) return;
      for (const image of loaded)
        if (image.names.length === 0) ctx.out(`Loaded image ID: ${image.id}\n`);
        else for (const name of image.names) ctx.out(`Loaded image: ${name}\n`);
    },
  );
}
