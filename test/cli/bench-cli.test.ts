/** `tsbuild bench`: scenarios, the table and JSON, and why mutated steps re-ran; numbers are not asserted. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { median, summarize } from '../../src/cli/bench/report.ts';
import { E2E_REASON, E2E_SKIP, REPO } from '../support/cli.ts';
import { runCli } from './run-cli.ts';

describe('bench summaries', () => {
  it('takes the median of odd and even counts and the last run’s steps', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const sample = { ran: 1, cached: 3, contextBytes: 10, reran: [{ step: 'COPY', why: 'changed' }] };
    expect(
      summarize({
        name: 'no-op',
        tool: 'tsbuild',
        samples: [
          { ...sample, ms: 5 },
          { ...sample, ms: 9 },
        ],
      }),
    ).toMatchObject({
      runs: 2,
      medianMs: 7,
      minMs: 5,
      maxMs: 9,
      stepsRun: 1,
      stepsCached: 3,
      hitRatio: 0.75,
    });
    expect(
      summarize({ name: 'no-op', tool: 'compare', samples: [{ ...sample, ms: 5 }] }).hitRatio,
    ).toBeUndefined();
  });
});

describe.skipIf(E2E_SKIP)(`tsbuild bench (${E2E_REASON})`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsb-bench-cli-'));
    expect((await runCli(['import', inject('busyboxRootfs'), 'busybox:local'], { root: dir })).code).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('measures cold, no-op and mutation rebuilds on a copy of the context', async () => {
    const context = join(REPO, 'fixtures/my-httpd');
    const before = await readFile(join(context, 'index.html'), 'utf8');
    const json = await runCli(
      ['bench', context, '--runs', '1', '--mutate', 'index.html', '--compare', 'true', '--format', 'json'],
      { root: dir },
    );
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as {
      scenario: string;
      tool: string;
      hitRatio?: number;
      stepsRun: number;
      reran: { step: string; why: string }[];
    }[];
    expect(rows.map((r) => `${r.scenario}/${r.tool}`)).toEqual([
      'cold/tsbuild',
      'no-op/tsbuild',
      'no-op/compare',
      'mutate index.html/tsbuild',
      'mutate index.html/compare',
    ]);
    expect(rows[1]).toMatchObject({ stepsRun: 0, hitRatio: 1 });
    const mutated = rows[3]!;
    expect(mutated.reran.map((r) => r.step)).toEqual([
      expect.stringContaining('COPY index.html .'),
      expect.stringContaining('RUN echo'),
    ]);
    expect(mutated.reran[0]!.why).toMatch(/index\.html/);
    expect(await readFile(join(context, 'index.html'), 'utf8')).toBe(before);
  });

  it('prints a table with the re-run reasons', async () => {
    const table = await runCli(
      ['bench', join(REPO, 'fixtures/my-httpd'), '--runs', '1', '--mutate', 'index.html'],
      {
        root: dir,
      },
    );
    expect(table.stdout).toMatch(
      /^SCENARIO +TOOL +RUNS +MEDIAN +MIN +MAX +RUN\/CACHED +HITS +CONTEXT KEYED$/m,
    );
    expect(table.stdout).toMatch(/^no-op +tsbuild +1 +\d+\.\d{3}s/m);
    expect(table.stdout).toMatch(
      /^mutate index\.html: re-ran\n {2}\[3\/4\] COPY index\.html \.\n {4}because /m,
    );
  });
});
