/**
 * Deterministic randomness for the scenario generator: the same seed and label always give the
 * same numbers and bytes, on any machine. Bytes come from AES-256-CTR over zeros (fast, and as
 * incompressible as real random data); small choices from a splitmix64-style generator.
 */
import { createCipheriv, createHash } from 'node:crypto';

export interface Rng {
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** `n` incompressible bytes. */
  bytes(n: number): Buffer;
  pick<T>(items: readonly T[]): T;
}

const MASK = (1n << 64n) - 1n;

export function createRng(seed: string, label: string): Rng {
  const key = createHash('sha256').update(`${seed}\0${label}`).digest();
  let state = key.readBigUInt64LE(0);
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const next = (): bigint => {
    state = (state + 0x9e3779b97f4a7c15n) & MASK;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  };
  const int = (min: number, max: number): number => min + Number(next() % BigInt(max - min + 1));
  return {
    int,
    bytes: (n) => cipher.update(Buffer.alloc(n)),
    pick: (items) => items[int(0, items.length - 1)]!,
  };
}
