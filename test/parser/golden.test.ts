import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenCases, goldenDir, goldenDump } from './golden-dump.ts';

describe('golden fixtures (Dockerfile -> reviewed dump)', () => {
  const cases = goldenCases();

  it('has at least 40 cases, each with its expected dump', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(cases.filter((name) => !existsSync(join(goldenDir, `${name}.json`)))).toEqual([]);
  });

  it.each(cases)('%s', (name) => {
    const text = readFileSync(join(goldenDir, `${name}.Dockerfile`), 'utf8');
    const expected = readFileSync(join(goldenDir, `${name}.json`), 'utf8');
    expect(goldenDump(text)).toBe(expected);
  });
});
