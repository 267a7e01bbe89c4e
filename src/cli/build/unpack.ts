/** A tarball or standard-input context unpacked into scratch space (tar and decompression code). */
import { createReadStream } from 'node:fs';
import { unpackContext } from '../../index.ts';
import type { CliContext } from '../shared.ts';
import type { ContextSource, OpenedContext } from './context.ts';

export function unpackArchive(
  source: Exclude<ContextSource, { kind: 'directory' }>,
  scratch: string,
  ctx: CliContext,
  signal: AbortSignal,
): Promise<OpenedContext> {
  const input =
    source.kind === 'stdin' ? (ctx.stdin as AsyncIterable<Uint8Array>) : createReadStream(source.path);
  return unpackContext(input, { scratch, signal });
}
