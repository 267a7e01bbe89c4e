import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandWord, expandWords } from '../../src/parser/index.ts';
import { corpusDir, hasCorpus, noCorpusReason } from './corpus.ts';

interface Row {
  readonly line: number;
  readonly input: string;
  readonly expected: string | readonly string[] | 'error';
  readonly env: ReadonlyMap<string, string>;
}

const envVarEnv = new Map([
  ['PWD', '/home'],
  ['SHELL', 'bash'],
  ['KOREAN', '한국어'],
  ['NULL', ''],
]);

function envVarRows(): Row[] {
  const rows: Row[] = [];
  readFileSync(join(corpusDir, 'shell/envVarTest'), 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      if (raw.startsWith('#') || raw.trim() === '') return;
      const fields = raw.trim().split('|');
      if (fields.length !== 3) throw new Error(`envVarTest:${index + 1}: expected 3 fields`);
      const [platform, input, expected] = fields.map((f) => f.trim()) as [string, string, string];
      // Linux semantics are rows A and U; W rows describe Windows only.
      if (platform.toUpperCase() === 'W') return;
      rows.push({
        line: index + 1,
        input,
        expected: expected === 'error' ? 'error' : expected,
        env: envVarEnv,
      });
    });
  return rows;
}

function wordsRows(): Row[] {
  const rows: Row[] = [];
  const env = new Map<string, string>();
  readFileSync(join(corpusDir, 'shell/wordsTest'), 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      if (raw.startsWith('#') || raw === '') return;
      if (raw.startsWith('ENV ')) {
        const assignment = raw.slice(4);
        const eq = assignment.indexOf('=');
        env.set(assignment.slice(0, eq), assignment.slice(eq + 1));
        return;
      }
      const bar = raw.indexOf('|');
      const input = raw.slice(0, bar).trim();
      const expected = raw.slice(bar + 1).replace(/^ +/, '');
      rows.push({
        line: index + 1,
        input,
        expected: expected === 'error' ? 'error' : expected.split(','),
        env: new Map(env),
      });
    });
  return rows;
}

describe.skipIf(!hasCorpus)(`word expansion corpus (${hasCorpus ? 'shell/' : noCorpusReason})`, () => {
  const envRows = hasCorpus ? envVarRows() : [];
  const words = hasCorpus ? wordsRows() : [];

  it('reads a non-trivial number of rows', () => {
    expect(envRows.length).toBeGreaterThan(200);
    expect(words.length).toBeGreaterThan(20);
  });

  it.each(envRows.map((r) => [`envVarTest:${r.line} ${r.input}`, r] as const))('%s', (_name, row) => {
    if (row.expected === 'error') expect(() => expandWord(row.input, row.env)).toThrow(/failed to expand/);
    else expect(expandWord(row.input, row.env)).toBe(row.expected);
  });

  it.each(words.map((r) => [`wordsTest:${r.line} ${r.input}`, r] as const))('%s', (_name, row) => {
    if (row.expected === 'error') expect(() => expandWords(row.input, row.env)).toThrow(/failed to expand/);
    else expect(expandWords(row.input, row.env)).toEqual(row.expected);
  });
});
