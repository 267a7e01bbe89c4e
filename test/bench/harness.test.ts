import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ratio } from '../../bench/lib/report.ts';
import type { CaseResult } from '../../bench/lib/results.ts';
import { summarize } from '../../bench/lib/results.ts';
import { concurrently } from '../../bench/lib/runner.ts';
import { q } from '../../bench/lib/shell.ts';

const sh = (command: string) => promisify(execFile)('/bin/sh', ['-c', command]);

describe('summaries', () => {
  const run = (seconds: number) => ({ seconds, totalMb: seconds * 10, processMb: seconds });

  it('takes the median of odd and even counts, min, max and memory peaks', () => {
    const odd = summarize('e', [3, 1, 2].map(run), []);
    expect([odd.median, odd.min, odd.max, odd.peakRssMb]).toEqual([2, 1, 3, 30]);
    expect(summarize('e', [4, 1, 2, 3].map(run), []).median).toBe(2.5);
  });

  it('leaves the figures out when no run succeeded', () => {
    const none = summarize('e', [], ['warm-up failed']);
    expect(none.median).toBeUndefined();
    expect(none.notes).toEqual(['warm-up failed']);
  });

  it('divides an engine median by the BuildKit median of the same case', () => {
    const c: CaseResult = {
      id: 'x',
      title: 'x',
      kind: 'cold',
      runs: 3,
      warmup: 1,
      results: [summarize('buildkit', [2, 2, 2].map(run), []), summarize('tsbuild', [1, 1, 3].map(run), [])],
    };
    expect(ratio(c, 'tsbuild')).toBe(0.5);
    expect(ratio(c, 'buildah')).toBeUndefined();
  });
});

describe('shell composition', () => {
  it('quotes arguments with spaces and quotes', async () => {
    const value = `it's a "test" $HOME`;
    const { stdout } = await sh(`printf %s ${q(value)}`);
    expect(stdout).toBe(value);
  });

  it('runs builds at once and fails when any one fails', async () => {
    await expect(sh(concurrently(['true', 'true']))).resolves.toBeDefined();
    await expect(sh(concurrently(['true', 'false', 'true']))).rejects.toThrow();
    const { stdout } = await sh(concurrently(['sleep 0.2; echo late', 'echo early']));
    expect(stdout).toBe('early\nlate\n');
  });
});
