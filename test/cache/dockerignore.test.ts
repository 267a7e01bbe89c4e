import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerignore } from '../../src/cache/ignore/dockerignore.ts';
import { cleanPath, dirPath } from '../../src/cache/ignore/go-path.ts';
import { createPatternMatcher } from '../../src/cache/ignore/matcher.ts';
import { compileGlob, compilePattern, hasGlobMeta } from '../../src/cache/ignore/pattern.ts';

const corpus = path.resolve(import.meta.dirname, '../../../shared/corpus/dockerignore');
const haveCorpus = existsSync(corpus);

interface Row {
  readonly patterns: string[];
  readonly path: string;
  readonly match: boolean;
  readonly error: boolean;
  readonly api: string;
}

function rows(file: string, multi: boolean): Row[] {
  return readFileSync(path.join(corpus, file), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [pattern = '', file = '', match, error, api = ''] = line.split('\t');
      return {
        patterns: multi ? (JSON.parse(pattern) as string[]) : [pattern],
        path: file,
        match: match === 'true',
        error: error !== undefined && error !== '',
        api,
      };
    });
}

/** The rows `check` gets wrong: a wrong answer, or an error where none (or none where one) was due. */
function wrongRows(table: readonly Row[], check: (row: Row) => boolean): Row[] {
  return table.filter((row) => {
    let got: boolean | 'error';
    try {
      got = check(row);
    } catch {
      got = 'error';
    }
    return got !== (row.error ? 'error' : row.match);
  });
}

function deprecatedMatches(raw: string, file: string): boolean {
  const pattern = compilePattern(cleanPath(raw));
  if (pattern.match(file)) return true;
  const parent = dirPath(file);
  const dirs = pattern.source.split('/');
  const parentDirs = parent.split('/');
  return (
    parent !== '.' &&
    dirs.length <= parentDirs.length &&
    pattern.match(parentDirs.slice(0, dirs.length).join('/'))
  );
}

const CONTRACT = 'MatchesOrParentMatches+MatchesUsingParentResults';

describe.skipIf(!haveCorpus)('dockerignore corpus (needs ../shared/corpus beside the repo)', () => {
  it('matches every MatchesOrParentMatches row', () => {
    const table = rows('cases.tsv', false).filter((r) => r.api === CONTRACT);
    expect(table.length).toBeGreaterThan(60);
    expect(wrongRows(table, (row) => createPatternMatcher(row.patterns).matches(row.path))).toEqual([]);
  });

  // Informative rows: Docker's older Matches rule (only the parent prefix as long as the pattern);
  // they exercise the same compiled patterns and Go's pattern syntax errors.
  it('matches the deprecated Matches rows with the same compiled patterns', () => {
    const table = rows('cases.tsv', false).filter((r) => r.api.startsWith('Matches(deprecated'));
    expect(table.length).toBeGreaterThan(40);
    expect(wrongRows(table, (row) => deprecatedMatches(row.patterns[0]!, row.path))).toEqual([]);
  });

  it('matches every multi-pattern row', () => {
    const table = rows('cases-multi.tsv', true);
    expect(table.length).toBeGreaterThan(10);
    expect(wrongRows(table, (row) => createPatternMatcher(row.patterns).matches(row.path))).toEqual([]);
  });
});

describe('parseDockerignore', () => {
  it('drops comments and blank lines, trims, cleans and keeps negation', () => {
    const text =
      '\uFEFF# comment\n  node_modules/  \r\n\n/build\n!./build/keep.txt\n./docs/../README.md\n #not comment';
    expect(parseDockerignore(text)).toEqual([
      'node_modules',
      'build',
      '!build/keep.txt',
      'README.md',
      '#not comment',
    ]);
  });

  it('re-includes a file under an ignored directory', () => {
    const matcher = createPatternMatcher(parseDockerignore('build\n!build/keep.txt\n'));
    expect(matcher.matches('build/out.o')).toBe(true);
    expect(matcher.matches('build/keep.txt')).toBe(false);
    expect(matcher.matches('src/main.ts')).toBe(false);
    expect(matcher.hasExclusions).toBe(true);
  });
});

describe('COPY source globs (Go filepath.Match)', () => {
  it.each([
    ['*.txt', 'a.txt', true],
    ['*.txt', 'dir/a.txt', false],
    ['**', 'dir/a', false],
    ['dir/*', 'dir/a', true],
    ['file?.go', 'file1.go', true],
    ['file[0-9].go', 'filex.go', false],
    ['file[^0-9].go', 'filex.go', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
  ])('%s against %s is %s', (pattern, file, expected) => {
    expect(compileGlob(pattern).match(file)).toBe(expected);
  });

  it('rejects malformed globs and tells wildcards from escaped ones', () => {
    expect(() => compileGlob('src/[a-')).toThrow(/invalid pattern/);
    expect(hasGlobMeta('src/*.ts')).toBe(true);
    expect(hasGlobMeta('file\\[1].txt')).toBe(false);
    expect(hasGlobMeta('plain/file.txt')).toBe(false);
  });
});
