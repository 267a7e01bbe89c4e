import { Readable, type Transform } from 'node:stream';
import zlib from 'node:zlib';
import { TsbuildError } from '../../errors.ts';
import type { LayerCompression } from '../media-types.ts';

export type Compression = Exclude<LayerCompression, 'none'>;

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((byte, i) => head[i] === byte);
}

/** What compresses a stream that starts with `head` (at least 4 bytes unless the stream is shorter). */
export function detectCompression(head: Uint8Array): LayerCompression {
  if (startsWith(head, GZIP_MAGIC)) return 'gzip';
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

export const DEFAULT_LEVEL: Readonly<Record<Compression, number>> = { gzip: 6, zstd: 3 };

export function checkLevel(compression: Compression, level: number): number {
  const [min, max] = compression === 'gzip' ? [0, 9] : [-7, 22];
  if (!Number.isInteger(level) || level < min || level > max) {
    throw new TsbuildError(
      'USAGE',
      `${compression} compression level ${level} is out of range ${min}..${max}`,
    );
  }
  return level;
}

export function createCompressor(compression: Compression, level = DEFAULT_LEVEL[compression]): Transform {
  checkLevel(compression, level);
  if (compression === 'gzip') return zlib.createGzip({ level });
  // 1 MiB output chunks instead of 16 KiB: a 300 MB layer is otherwise ~19,000 chunks through every
  // stream stage after it (digests, blob file), and that bookkeeping outweighs zstd itself.
  return zlib.createZstdCompress({
    chunkSize: 1024 * 1024,
    params: { [zlib.constants.ZSTD_c_compressionLevel]: level },
  });
}

export function createDecompressor(compression: Compression): Transform {
  return compression === 'gzip' ? zlib.createGunzip() : zlib.createZstdDecompress();
}

/**
 * The decompressed bytes of a stream that may be gzip, zstd or plain, told apart by their magic
 * numbers (as Docker and containerd do), with the compression that was found.
 */
export async function openDecompressed(
  source: AsyncIterable<Uint8Array>,
): Promise<{ readonly compression: LayerCompression; readonly stream: Readable }> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headSize = 0;
  let ended = false;
  while (headSize < 4) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    headSize += next.value.byteLength;
  }
  const first = Buffer.concat(head);
  const compression = detectCompression(first);
  async function* all(): AsyncGenerator<Uint8Array> {
    try {
      if (first.byteLength > 0) yield first;
      if (ended) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      // Stopped early (an error downstream): let the source close its file or socket.
      if (!ended) await iterator.return?.();
    }
  }
  const raw = Readable.from(all(), { objectMode: false });
  if (compression === 'none') return { compression, stream: raw };
  const decompressor = createDecompressor(compression);
  raw.on('error', (error) => decompressor.destroy(error));
  decompressor.on('close', () => raw.destroy());
  raw.pipe(decompressor);
  return { compression, stream: decompressor };
}
