/**
 * The build context as a directory: a directory as it is; `-` (a tar on
 * standard input) or a tarball path unpacked safely into a scratch
 * directory that is removed after the build (./unpack.ts, loaded only then).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TsbuildError } from '../../index.ts';
import type { CliContext } from '../shared.ts';

export type ContextSource =
  | { readonly kind: 'stdin' }
  | { readonly kind: 'directory'; readonly path: string }
  | { readonly kind: 'tarball'; readonly path: string };

export interface OpenedContext {
  readonly dir: string;
  dispose(): Promise<void>;
}

/** What CONTEXT names; checked before a store is opened, so a typo creates nothing. */
export async function contextSource(context: string): Promise<ContextSource> {
  if (context === '-') return { kind: 'stdin' };
  const path = resolve(context);
  const info = await stat(path).catch(() => undefined);
  if (info === undefined)
    throw new TsbuildError('CONTEXT', `build context ${path} does not exist`, {
      hint: /^[a-z-]+$/.test(context)
        ? `"${context}" is not a command either: \`tsbuild --help\` lists them`
        : 'give a directory, a tarball, or - for a tar on standard input',
    });
  if (info.isDirectory()) return { kind: 'directory', path };
  if (info.isFile()) return { kind: 'tarball', path };
  throw new TsbuildError('CONTEXT', `build context ${path} is neither a directory nor a tarball`);
}

export async function openContext(
  source: ContextSource,
  scratch: string,
  ctx: CliContext,
  signal: AbortSignal,
): Promise<OpenedContext> {
  if (source.kind === 'directory') return { dir: source.path, dispose: async () => {} };
  const { unpackArchive } = await import('./unpack.ts');
  return unpackArchive(source, scratch, ctx, signal);
}
