import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { checkLevel } from './codecs.ts';

const gzip = promisify(zlib.gzip);

export interface ParallelGzipOptions {
  readonly level?: number;
  /** Bytes per gzip member; larger compresses a little better, smaller spreads work sooner. */
  readonly chunkSize?: number;
  /** Members compressed at once on libuv's threadpool. */
  readonly concurrency?: number;
}

/**
 * gzip on every core: the input is cut into fixed-size chunks, each compressed as an independent
 * gzip member on the threadpool, and the members are emitted in order. Concatenated members are
 * one valid gzip stream (RFC 1952 §2.2) that gunzip, Go's compress/gzip (Docker, containerd) and
 * Node all read whole. Output is deterministic for a given level and chunk size.
 */
export function createParallelGzip(options: ParallelGzipOptions = {}): Transform {
  const level = checkLevel('gzip', options.level ?? 6);
  const chunkSize = options.chunkSize ?? 1 << 20;
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const inFlight: Promise<Buffer>[] = [];
  let pending: Buffer[] = [];
  let pendingSize = 0;
  let members = 0;

  function dispatch(bytes: Buffer): void {
    members++;
    const job = gzip(bytes, { level });
    job.catch(() => undefined); // awaited in order below; this only silences an early rejection
    inFlight.push(job);
  }

  function cut(final: boolean): void {
    let all = pendingSize > 0 ? Buffer.concat(pending, pendingSize) : Buffer.alloc(0);
    while (all.length >= chunkSize) {
      dispatch(all.subarray(0, chunkSize));
      all = all.subarray(chunkSize);
    }
    pending = all.length > 0 ? [all] : [];
    pendingSize = all.length;
    if (final && (pendingSize > 0 || members === 0)) {
      dispatch(all);
      pending = [];
      pendingSize = 0;
    }
  }

  return new Transform({
    async transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
      try {
        pending.push(chunk);
        pendingSize += chunk.length;
        if (pendingSize >= chunkSize) cut(false);
        while (inFlight.length > concurrency) this.push(await inFlight.shift()!);
        cb();
      } catch (error) {
        cb(error as Error);
      }
    },
    async flush(cb: TransformCallback) {
      try {
        cut(true);
        while (inFlight.length > 0) this.push(await inFlight.shift()!);
        cb();
      } catch (error) {
        cb(error as Error);
      }
    },
  });
}
