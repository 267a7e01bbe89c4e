/**
 * The layer tar reader fuzzed: mutated tarballs (hostile seeds, header fields rewritten with valid
 * checksums, flipped bytes, truncations, splices, gzip) never write outside their target, never
 * hang, never crash the process, and are refused with an error saying what is wrong. A bounded
 * run for CI; bench/fuzz-tar.ts runs many more (TSBUILD_FUZZ_COUNT, TSBUILD_FUZZ_SEED vary this one).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTar } from '../image/support/tar.ts';
import {
  applyInSandbox,
  createRandom,
  fingerprint,
  makeSandbox,
  mutateTar,
  type Outcome,
  setField,
} from './fuzz/tar-inputs.ts';

const COUNT = Number(process.env.TSBUILD_FUZZ_COUNT ?? 2000);
const SEED = Number(process.env.TSBUILD_FUZZ_SEED ?? 777);

describe('tar reader fuzzing', () => {
  it(`${COUNT} mutated tarballs stay inside their target`, { timeout: 300_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-fuzz-tar-'));
    const crashes: unknown[] = [];
    const record = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
    try {
      const sandbox = await makeSandbox(dir);
      const before = await fingerprint(sandbox.outside);
      const rng = createRandom(SEED);
      const outcomes: Record<Outcome, number> = { applied: 0, refused: 0, failed: 0 };
      for (let i = 0; i < COUNT; i++)
        outcomes[await applyInSandbox(sandbox, mutateTar(rng, sandbox), before)]++;
      console.log(`tar fuzz (seed ${SEED}): ${JSON.stringify(outcomes)}`);
      // The mutations reach both sides: some inputs still apply, many are refused.
      expect(outcomes.applied).toBeGreaterThan(COUNT / 20);
      expect(outcomes.refused).toBeGreaterThan(COUNT / 20);
      // Every refusal is a TsbuildError that says what is wrong with the layer.
      expect(outcomes.failed).toBe(0);
    } finally {
      process.off('uncaughtException', record);
      process.off('unhandledRejection', record);
      await rm(dir, { recursive: true, force: true });
    }
    expect(crashes).toEqual([]);
  });

  // Found by bench/fuzz-tar.ts: tar-stream stalls for ever on a size field that is not a number.
  it('refuses an entry whose size field is not a number instead of hanging', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-fuzz-tar-'));
    try {
      const sandbox = await makeSandbox(dir);
      const tar = await buildTar([
        { header: { name: 'x', type: 'symlink', linkname: '../outside' } },
        { header: { name: 'y', type: 'file' }, data: 'y' },
      ]);
      setField(tar, 0, 124, 12, '\u00f00000000000');
      expect(await applyInSandbox(sandbox, tar, await fingerprint(sandbox.outside))).toBe('refused');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
