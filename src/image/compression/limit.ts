import { Transform } from 'node:stream';
import { TsbuildError } from '../../errors.ts';

/** Default cap on the bytes one layer may expand to (decompression bombs). */
export const DEFAULT_MAX_LAYER_BYTES = 64 * 1024 ** 3;

/**
 * Passes bytes through until more than `maxBytes` have gone by, then fails with LAYER_UNSAFE:
 * a few KiB of gzip or zstd can expand to terabytes.
 */
export function createByteLimit(maxBytes: number, onChunk?: (chunk: Buffer) => void): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.byteLength;
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
