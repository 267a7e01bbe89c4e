import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TsbuildError } from '../../errors.ts';
import { createDigestCounter, type Digest } from '../digest.ts';
import { type Compression, createCompressor, DEFAULT_LEVEL } from './codecs.ts';
import { createParallelGzip } from './parallel-gzip.ts';

export interface CompressionChoice {
  readonly compression: Compression;
  readonly level?: number;
}

export interface CompressedLayer {
  /** sha256 of the uncompressed tar. */
  readonly diffId: Digest;
  readonly uncompressedSize: number;
  /** sha256 and size of the compressed bytes (the blob digest in a manifest). */
  readonly digest: Digest;
  readonly size: number;
}

function counting(counter: ReturnType<typeof createDigestCounter>): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      counter.update(chunk);
      cb(null, chunk);
    },
  });
}

/** gzip goes through the parallel compressor so export uses every core; zstd is fast on one. */
function compressorFor(choice: CompressionChoice): Transform {
  const level = choice.level ?? DEFAULT_LEVEL[choice.compression];
  return choice.compression === 'gzip' ? createParallelGzip({ level }) : createCompressor('zstd', level);
}

/**
 * Compresses a layer tar in one streaming pass that also yields both digests: the tar's (diff_id)
 * and the compressed blob's. Read the returned stream to the end, then call `result()`.
 */
export function compressLayer(
  tar: AsyncIterable<Uint8Array>,
  choice: CompressionChoice,
): { readonly stream: Readable; readonly done: Promise<void>; result(): CompressedLayer } {
  const before = createDigestCounter();
  const after = createDigestCounter();
  const output = counting(after);
  const done = pipeline(tar, counting(before), compressorFor(choice), output).catch((error: unknown) => {
    output.destroy(error as Error);
    throw error;
  });
  done.catch(() => undefined);
  let result: CompressedLayer | undefined;
  return {
    stream: output,
    done,
    result() {
      if (!output.readableEnded) {
        throw new TsbuildError('INTERNAL', 'compressLayer().result() called before its stream ended');
      }
      if (!result) {
        const tarSum = before.result();
        const blobSum = after.result();
        result = {
          diffId: tarSum.digest,
          uncompressedSize: tarSum.size,
          digest: blobSum.digest,
          size: blobSum.size,
        };
      }
      return result;
    },
  };
}
