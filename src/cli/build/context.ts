/**
 * The build context as a directory: a directory as it is; `-` (a tar on
 * standard input) or a tarball path unpacked safely into a scratch
 * directory that is removed after the build.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TsbuildError, unpackContext } from '../../index.ts';
import type { CliContext } from '../shared.ts';

export interface OpenedContext {
  readonly dir: string;
  dispose(): Promise<void>;
}

export async function openContext(
  context: string,
  scratch: string,
  ctx: CliContext,
  signal: AbortSignal,
): Promise<OpenedContext> {
  if (context === '-') return unpackContext(ctx.stdin as AsyncIterable<Uint8Array>, { scratch, signal });
  const path = resolve(context);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined)
    throw new TsbuildError('CONTEXT', `build context ${path} does not exist`, {
      hint: 'give a directory, a tarball, or - for a tar on standard input',
    });
  if (info.isDirectory()) return { dir: path, dispose: async () => {} };
  if (info.isFile()) return unpackContext(createReadStream(path), { scratch, signal });
  throw new TsbuildError('CONTEXT', `build context ${path} is neither a directory nor a tarball`);
}
