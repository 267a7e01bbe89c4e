/**
 * A pass-through stream that checks bytes against an expected digest and size while they flow,
 * failing the pipeline (so the store discards its ingest file) instead of letting bad bytes land.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { TsbuildError } from '../errors.ts';
import { createDigestCounter, type Digest } from '../image/digest.ts';

export interface ExpectedContent {
  readonly digest: Digest;
  readonly size: number;
}

function mismatch(where: string, what: string): TsbuildError {
  return new TsbuildError('DIGEST_MISMATCH', `content of ${where} does not match its descriptor: ${what}`, {
    hint: 'the registry or something between it and you served corrupt data; nothing was stored, retry the pull',
  });
}

/** `onBytes` hears the running byte count, for progress reports. */
export function createVerifier(
  expected: ExpectedContent,
  where: string,
  onBytes?: (seen: number) => void,
): Transform {
  const counter = createDigestCounter();
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > expected.size) {
        callback(mismatch(where, `more than the expected ${expected.size} bytes`));
        return;
      }
      counter.update(chunk);
      onBytes?.(seen);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      const { digest, size } = counter.result();
      if (size !== expected.size) {
        callback(mismatch(where, `got ${size} bytes, expected ${expected.size}`));
        return;
      }
      callback(
        digest === expected.digest ? null : mismatch(where, `digest ${digest}, expected ${expected.digest}`),
      );
    },
  });
}
