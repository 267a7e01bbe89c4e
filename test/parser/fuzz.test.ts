import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { type Diagnostic, expandWord, expandWords } from '../../src/parser/index.ts';
import { corpusDir, corpusDockerfiles, hasCorpus } from './corpus.ts';
import { checkInput, createRandom, fuzzInputs, randomNoise, rangeProblem } from './fuzz-inputs.ts';
import { goldenCases, goldenDir } from './golden-dump.ts';

// Bounded for CI; bench/fuzz-parser.ts runs a million. TSBUILD_FUZZ_SEED varies the inputs.
const COUNT = Number(process.env.TSBUILD_FUZZ_COUNT ?? 3000);
const SEED = Number(process.env.TSBUILD_FUZZ_SEED ?? 20240601);

const seeds = [
  ...goldenCases().map((name) => readFileSync(join(goldenDir, `${name}.Dockerfile`), 'utf8')),
  ...(hasCorpus ? corpusDockerfiles().map((file) => readFileSync(join(corpusDir, file), 'utf8')) : []),
];

describe('parser fuzzing', () => {
  it(`${COUNT} random and mutated inputs parse or return located errors, and round-trip when valid`, () => {
    const failures: { input: string; problems: string[] }[] = [];
    let valid = 0;
    for (const input of fuzzInputs(createRandom(SEED), COUNT, seeds)) {
      const problems = checkInput(input);
      if (problems.length > 0) failures.push({ input, problems });
      else valid++;
    }
    expect(failures.slice(0, 3)).toEqual([]);
    expect(valid).toBe(COUNT);
  });

  it('the location check rejects diagnostics that point nowhere', () => {
    const at = (line: number, column: number, offset: number) => ({ line, column, offset });
    const diagnostic = (start: ReturnType<typeof at>, end: ReturnType<typeof at>): Diagnostic => ({
      severity: 'error',
      code: 'DF_PARSE',
      message: 'x',
      range: { start, end },
    });
    expect(rangeProblem('FROM a', diagnostic(at(1, 1, 0), at(1, 7, 6)))).toBeUndefined();
    expect(rangeProblem('FROM a', diagnostic(at(1, 1, 0), at(1, 9, 8)))).toMatch(/outside the text/);
    expect(rangeProblem('FROM a', diagnostic(at(0, 1, 0), at(1, 2, 1)))).toMatch(/bad range/);
    expect(rangeProblem('FROM a', diagnostic(at(1, 3, 2), at(1, 2, 1)))).toMatch(/outside the text/);
  });

  it('word expansion returns a string or fails with DF_EXPAND, never anything else', () => {
    const rng = createRandom(SEED);
    const env = new Map([
      ['A', 'a b'],
      ['E', ''],
      ['L', 'x'.repeat(200)],
    ]);
    let failed = 0;
    for (let i = 0; i < COUNT; i++) {
      const word = randomNoise(rng, 12);
      for (const expand of [expandWord, expandWords]) {
        try {
          expand(word, env, { escape: rng() < 0.5 ? '\\' : '`' });
        } catch (error) {
          expect(isTsbuildError(error, 'DF_EXPAND')).toBe(true);
          failed++;
        }
      }
    }
    // The noise is rich in unbalanced quotes and braces: some words must fail, most must not.
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(COUNT * 2);
  });
});
