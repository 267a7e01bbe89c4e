/** What `save` and `load` do: images in and out of the store as archives. */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { load, save, TsbuildError } from '../../index.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';

export interface SaveArgs extends GlobalArgs {
  readonly images: string[];
  readonly output?: string;
  readonly format: 'docker' | 'oci';
  readonly compression: 'gzip' | 'zstd' | 'none';
  readonly 'compression-level'?: number;
}

export interface LoadArgs extends GlobalArgs {
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

export async function saveCommand(args: SaveArgs, ctx: CliContext): Promise<void> {
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
}

export async function loadCommand(args: LoadArgs, ctx: CliContext): Promise<void> {
  const source =
    args.input === undefined || args.input === '-' ? (ctx.stdin as AsyncIterable<Uint8Array>) : args.input;
  const loaded = await load(source, rootOption(args));
  if (args.quiet === true) return;
  for (const image of loaded)
    if (image.names.length === 0) ctx.out(`Loaded image ID: ${image.id}\n`);
    else for (const name of image.names) ctx.out(`Loaded image: ${name}\n`);
}
