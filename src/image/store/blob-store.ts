import { createReadStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { TsbuildError } from '../../errors.ts';
import { createDigestCounter, type Digest, digestFromHex, digestHex, sha256OfBytes } from '../digest.ts';
import { fsyncDir, tempPath } from './atomic.ts';

export interface BlobInfo {
  readonly digest: Digest;
  readonly size: number;
}

export interface ExpectedBlob {
  readonly digest?: Digest;
  readonly size?: number;
}

/** Content-addressed blobs under `<root>/blobs/sha256/<hex>`, written through `<root>/ingest`. */
export interface BlobStore {
  path(digest: Digest): string;
  has(digest: Digest): Promise<boolean>;
  /** Size in bytes; throws IMAGE_NOT_FOUND when absent. */
  size(digest: Digest): Promise<number>;
  open(digest: Digest): Promise<Readable>;
  /** Whole blob, verified against its digest (meant for small JSON documents). */
  read(digest: Digest): Promise<Buffer>;
  /**
   * Stores bytes, verifying `expected` digest and size when given. When the expected blob is
   * already present the source is drained without being stored (callers that can skip fetching
   * should ask `has` first), and the blob's mtime is refreshed so a concurrent garbage
   * collection's grace period covers it.
   */
  put(source: Uint8Array | AsyncIterable<Uint8Array>, expected?: ExpectedBlob): Promise<BlobInfo>;
  delete(digest: Digest): Promise<void>;
  list(): AsyncIterable<Digest>;
}

const WRITE_BATCH = 1 << 20;

function missing(digest: Digest, root: string): TsbuildError {
  return new TsbuildError('IMAGE_NOT_FOUND', `blob ${digest} is not in the store at ${root}`, {
    hint: 'pull or load the image again; the store may have been garbage-collected',
  });
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

export function createBlobStore(root: string): BlobStore {
  const blobDir = path.join(root, 'blobs', 'sha256');
  const ingestDir = path.join(root, 'ingest');
  const blobPath = (digest: Digest) => path.join(blobDir, digestHex(digest));

  async function sizeOrUndefined(digest: Digest): Promise<number | undefined> {
    try {
      return (await fsp.stat(blobPath(digest))).size;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async function commit(tmp: string, got: BlobInfo, expected: ExpectedBlob): Promise<BlobInfo> {
    if (expected.digest && expected.digest !== got.digest) {
      throw new TsbuildError(
        'DIGEST_MISMATCH',
        `content does not match its digest: expected ${expected.digest}, got ${got.digest} (${got.size} bytes)`,
        { hint: 'the source is corrupt or was changed while it was read; fetch it again' },
      );
    }
    if (expected.size !== undefined && expected.size !== got.size) {
      throw new TsbuildError(
        'DIGEST_MISMATCH',
        `blob ${got.digest} has ${got.size} bytes where ${expected.size} were expected`,
      );
    }
    await fsp.mkdir(blobDir, { recursive: true });
    // rename() replaces atomically: a concurrent writer of the same digest wrote identical bytes.
    await fsp.rename(tmp, blobPath(got.digest));
    await fsyncDir(blobDir);
    return got;
  }

  async function writeTemp(source: Uint8Array | AsyncIterable<Uint8Array>, expected: ExpectedBlob) {
    await fsp.mkdir(ingestDir, { recursive: true });
    const tmp = tempPath(ingestDir, 'blob');
    const handle = await fsp.open(tmp, 'wx', 0o644);
    const counter = createDigestCounter();
    let written = 0;
    // Tar streams arrive as many small chunks (512-byte headers); one writev per MiB saves syscalls.
    let batch: Uint8Array[] = [];
    let batched = 0;
    const flush = async () => {
      if (batch.length > 0) await handle.writev(batch);
      batch = [];
      batched = 0;
    };
    try {
      const chunks = source instanceof Uint8Array ? [source] : source;
      for await (const chunk of chunks) {
        written += chunk.byteLength;
        // Stop a lying or endless source early rather than filling the disk.
        if (expected.size !== undefined && written > expected.size) {
          throw new TsbuildError(
            'DIGEST_MISMATCH',
            `blob ${expected.digest ?? ''} is larger than the ${expected.size} bytes expected`,
          );
        }
        counter.update(chunk);
        batch.push(chunk);
        batched += chunk.byteLength;
        if (batched >= WRITE_BATCH) await flush();
      }
      await flush();
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true });
      throw error;
    }
    await handle.close();
    return { tmp, info: counter.result() };
  }

  return {
    path: blobPath,
    async has(digest) {
      // Whoever asks is about to use the blob (skip a download, reference it from a new manifest):
      // its time is refreshed so a GC running meanwhile counts it as new and spares it.
      const now = new Date();
      try {
        await fsp.utimes(blobPath(digest), now, now);
        return true;
      } catch {
        // Absent, or a store this process may read but not write.
        return (await sizeOrUndefined(digest)) !== undefined;
      }
    },
    async size(digest) {
      const size = await sizeOrUndefined(digest);
      if (size === undefined) throw missing(digest, root);
      return size;
    },
    async open(digest) {
      const size = await sizeOrUndefined(digest);
      if (size === undefined) throw missing(digest, root);
      // 1 MiB reads: layer blobs run to hundreds of MB, and 64 KiB chunks cost more in stream overhead.
      return createReadStream(blobPath(digest), { highWaterMark: 1024 * 1024 });
    },
    async read(digest) {
      let bytes: Buffer;
      try {
        bytes = await fsp.readFile(blobPath(digest));
      } catch (error) {
        if (isNotFound(error)) throw missing(digest, root);
        throw error;
      }
      if (sha256OfBytes(bytes) !== digest) {
        throw new TsbuildError(
          'DIGEST_MISMATCH',
          `stored blob ${digest} is corrupt (its content hashes differently)`,
          {
            hint: `delete ${blobPath(digest)} and pull or load the image again`,
          },
        );
      }
      return bytes;
    },
    async put(source, expected = {}) {
      if (expected.digest) {
        const size = await sizeOrUndefined(expected.digest);
        if (size !== undefined && (expected.size === undefined || expected.size === size)) {
          const now = new Date();
          await fsp.utimes(blobPath(expected.digest), now, now).catch(() => undefined);
          if (!(source instanceof Uint8Array)) for await (const _ of source);
          return { digest: expected.digest, size };
        }
      }
      const { tmp, info } = await writeTemp(source, expected);
      try {
        return await commit(tmp, info, expected);
      } catch (error) {
        await fsp.rm(tmp, { force: true });
        throw error;
      }
    },
    async delete(digest) {
      await fsp.rm(blobPath(digest), { force: true });
    },
    async *list() {
      let names: string[];
      try {
        names = await fsp.readdir(blobDir);
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
      for (const name of names) {
        if (/^[0-9a-f]{64}$/.test(name)) yield digestFromHex(name);
      }
    },
  };
}
