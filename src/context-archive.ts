/**
 * A build context given as a tar (`tsbuild build -` or a tarball path,
 * plain or compressed): unpacked safely (nothing may land outside the
 * directory) into a scratch directory the caller removes after the build.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TsbuildError } from './errors.ts';
import { applyLayer } from './image/index.ts';

export interface UnpackedContext {
  readonly dir: string;
  dispose(): Promise<void>;
}

export interface UnpackContextOptions {
  /** Parent of the scratch directory; the store's `tmp/` keeps it on the store's filesystem. */
  readonly scratch: string;
  readonly signal?: AbortSignal;
}

export async function unpackContext(
  tar: AsyncIterable<Uint8Array>,
  options: UnpackContextOptions,
): Promise<UnpackedContext> {
  await mkdir(options.scratch, { recursive: true });
  const dir = await mkdtemp(join(options.scratch, 'context-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await applyLayer(tar, dir, { ...(options.signal !== undefined && { signal: options.signal }) });
  } catch (error) {
    await dispose();
    throw new TsbuildError('CONTEXT', `cannot unpack the build context tar: ${(error as Error).message}`, {
      cause: error,
      hint: 'give a tar (optionally gzip or zstd compressed) of the context directory',
    });
  }
  return { dir, dispose };
}
