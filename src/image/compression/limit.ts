import { Transform } from 'node:stream';
import { TsbuildError } from '../../errors.ts';

/** Default cap on the bytes one layer may expand to (decompression bombs). */
export const DEFAULT_MAX_LAYER_BYTES = 64 * 1024 ** 3;

/**
 * Past this many bytes a compressed layer may expand to at most MAX_RATIO times the compressed
 * bytes read so far: real layers expand a few times (text, zeros in files: tens of times); a bomb
 * expands a thousand times, and the absolute cap alone would let it write tens of GiB first.
 */
const RATIO_FLOOR = 1024 ** 3;
const MAX_RATIO = 100;

/**
 * Passes bytes through until more than `maxBytes` have gone by, then fails with LAYER_UNSAFE:
 * a few KiB of gzip or zstd can expand to terabytes. With `compressedSoFar` (the compressed bytes
 * read until now), also fails once the expansion ratio shows a bomb.
 */
export function createByteLimit(
  maxBytes: number,
  onChunk?: (chunk: Buffer) => void,
  compressedSoFar?: () => number,
): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.byteLength;
      const compressed = compressedSoFar?.();
      if (compressed !== undefined && size > RATIO_FLOOR && size > compressed * MAX_RATIO) {
        cb(
          new TsbuildError(
            'LAYER_UNSAFE',
            `layer expands to more than ${MAX_RATIO} times its compressed size (${size} bytes from ${compressed}); refusing to unpack it`,
            {
              hint: 'a decompression bomb; a legitimate layer this compressible can be applied with an explicit maxBytes',
            },
          ),
        );
        return;
      }
      if (size > maxBytes) {
        cb(
          new TsbuildError(
            'LAYER_UNSAFE',
            `layer expands to more than ${maxBytes} bytes; refusing to unpack it`,
            {
              hint: 'a decompression bomb, or a layer larger than allowed: raise maxBytes if it is legitimate',
            },
          ),
        );
        return;
      }
      onChunk?.(chunk);
      cb(null, chunk);
    },
  });
}
