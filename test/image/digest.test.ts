import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { createHashingStream, digestOfStream, parseDigest, sha256OfBytes } from '../../src/image/index.ts';

// sha256("abc") from FIPS 180-2, appendix B.1.
const ABC = 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('digest', () => {
  it('hashes bytes and strings', () => {
    expect(sha256OfBytes('abc')).toBe(ABC);
    expect(sha256OfBytes(Buffer.from('abc'))).toBe(ABC);
  });

  it('parses valid digests and explains invalid ones', () => {
    expect(parseDigest(ABC)).toBe(ABC);
    expect(() => parseDigest('sha256:abc')).toThrow(/64 lowercase hex/);
    expect(() => parseDigest(ABC.toUpperCase())).toThrow(/invalid digest/);
    expect(() => parseDigest('sha512:abcd')).toThrow(/only sha256/);
    try {
      parseDigest('nope');
    } catch (error) {
      expect(isTsbuildError(error, 'IMAGE')).toBe(true);
    }
  });

  it('hashes streams while passing them through', async () => {
    const hashing = createHashingStream();
    const seen: Buffer[] = [];
    await pipeline(
      Readable.from([Buffer.from('a'), Buffer.from('bc')]),
      hashing,
      new Writable({
        write(chunk, _e, cb) {
          seen.push(chunk);
          cb();
        },
      }),
    );
    expect(hashing.result()).toEqual({ digest: ABC, size: 3 });
    expect(Buffer.concat(seen).toString()).toBe('abc');
    expect(await digestOfStream(Readable.from([Buffer.from('ab'), Buffer.from('c')]))).toEqual({
      digest: ABC,
      size: 3,
    });
  });
});
