/** What `tsbuild import` does: a root filesystem tarball made into a one-layer image. */
import { importImage } from '../../index.ts';
import { type CliContext, type GlobalArgs, rootOption } from '../shared.ts';
import { handleInterrupts } from '../signals.ts';

export interface ImportArgs extends GlobalArgs {
  readonly file: string;
  readonly reference: string;
  readonly message?: string;
}

export async function importCommand(args: ImportArgs, ctx: CliContext): Promise<void> {
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
}
