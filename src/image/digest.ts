import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { TsbuildError } from '../errors.ts';

/** A `sha256:<64 lowercase hex>` string; only made by the functions below. */
export type Digest = string & { readonly __brand: 'Digest' };

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/** Parses `sha256:<hex>`; other algorithms are refused because the store is keyed by sha256 only. */
export function parseDigest(value: string): Digest {
  if (isDigest(value)) return value;
  const hint = 'expected "sha256:" followed by 64 lowercase hex digits';
  if (/^[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(value) && !value.startsWith('sha256:')) {
    throw new TsbuildError('IMAGE', `unsupported digest algorithm in "${value}": only sha256 is supported`);
  }
  throw new TsbuildError('IMAGE', `invalid digest "${value}": ${hint}`);
}

export function digestFromHex(hex: string): Digest {
  return parseDigest(`sha256:${hex}`);
}

export function digestHex(digest: Digest): string {
  return digest.slice('sha256:'.length);
}

/** OCI chain id: the identity of a stack of layers, from their diff ids (undefined for none). */
export function chainIdOf(diffIds: readonly string[]): string | undefined {
  let chain: string | undefined;
  for (const diffId of diffIds) {
    chain =
      chain === undefined
        ? diffId
        : `sha256:${createHash('sha256').update(`${chain} ${diffId}`).digest('hex')}`;
  }
  return chain;
}

export function sha256OfBytes(bytes: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
}

/** Incremental sha256 with a byte count, for hashing while data streams elsewhere. */
export interface DigestCounter {
  update(chunk: Uint8Array): void;
  /** Digest and byte count of everything passed to update(); call once. */
  result(): { readonly digest: Digest; readonly size: number };
}

export function createDigestCounter(): DigestCounter {
  const hash: Hash = createHash('sha256');
  let size = 0;
  return {
    update(chunk) {
      hash.update(chunk);
      size += chunk.byteLength;
    },
    result() {
      return { digest: `sha256:${hash.digest('hex')}` as Digest, size };
    },
  };
}

/** A pass-through stream that hashes what flows through it; read `result()` after it ends. */
export interface HashingStream extends Transform {
  result(): { readonly digest: Digest; readonly size: number };
}

export function createHashingStream(): HashingStream {
  const counter = createDigestCounter();
  let done: { digest: Digest; size: number } | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      counter.update(chunk);
      cb(null, chunk);
    },
  });
  return Object.assign(stream, {
    result() {
      done ??= counter.result();
      return done;
    },
  });
}

/** Hashes a whole stream (or async iterable of bytes) without keeping it. */
export async function digestOfStream(
  source: AsyncIterable<Uint8Array>,
): Promise<{ readonly digest: Digest; readonly size: number }> {
  const counter = createDigestCounter();
  for await (const chunk of source) counter.update(chunk);
  return counter.result();
}
