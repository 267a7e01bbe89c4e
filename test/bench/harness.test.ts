import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ratio, renderMarkdown } from '../../bench/lib/report.ts';
import type { BenchResults, CaseResult } from '../../bench/lib/results.ts';
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

describe('markdown report', () => {
  const run = (seconds: number) => ({ seconds, totalMb: 100, processMb: 50 });
  const results: BenchResults = {
    date: '2026-01-01T00:00:00.000Z',
    host: 'test',
    seed: 'seed',
    machine: { cpu: 'cpu', cores: 2, memoryGiB: 4, kernel: 'k', os: 'os', disk: 'disk', tools: {} },
    engines: [
      { id: 'tsbuild', label: 'tsbuild', version: '1' },
      { id: 'buildkit', label: 'docker BuildKit', version: '2' },
    ],
    skipped: [{ id: 'buildah', reason: 'not installed' }],
    cases: [
      {
        id: 's4-save-zstd',
        title: 's4 export alone, zstd -1 layers',
        kind: 'export-only',
        runs: 1,
        warmup: 0,
        results: [summarize('tsbuild', [run(0.6)], []), summarize('buildkit', [], ['no export'])],
      },
      {
        id: 's1-noop',
        title: 's1 tiny, no-op',
        kind: 'noop',
        runs: 1,
        warmup: 1,
        target: 0.75,
        results: [summarize('tsbuild', [run(0.3)], []), summarize('buildkit', [run(0.1)], [])],
      },
      {
        id: 's4-floor',
        title: 'floor',
        kind: 'floor',
        runs: 1,
        warmup: 0,
        results: [summarize('tar | zstd -1', [run(0.5)], [])],
      },
    ],
    durationSeconds: 60,
  };
  const markdown = renderMarkdown(results);

  it('keeps every table row as wide as its header, even with | in a name', () => {
    const cells = (line: string) => line.replaceAll('\\|', '').split('|').length;
    const lines = markdown.split('\n');
    let width: number | undefined;
    for (const line of lines) {
      if (!line.startsWith('|')) {
        width = undefined;
        continue;
      }
      width ??= cells(line);
      expect(cells(line), line).toBe(width);
    }
  });

  it('judges targets and floors from the figures', () => {
    expect(markdown).toMatch(/s1 tiny, no-op \| ≤ 0\.75 \| 3\.00 MISSED/);
    expect(markdown).toMatch(/zstd -1 layers \| 0\.600 s \| ×1\.20 of tar \\\| zstd -1 met/);
    expect(markdown).toContain('buildah skipped: not installed');
  });
});
