// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Dockerfile ${VAR} words, not templates.
import { describe, expect, it } from 'vitest';
import { expandWord, expandWords } from '../../src/parser/index.ts';

describe('expandWord / expandWords', () => {
  const env = new Map([
    ['A', 'x y'],
    ['EMPTY', ''],
    ['PATH_VAR', '/usr/local/bin:/usr/bin'],
    ['FILE', 'archive.tar.gz'],
  ]);

  it.each([
    ['$A', 'x y'],
    ['${A}', 'x y'],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${A:+set}', 'set'],
    ['${EMPTY:+set}', ''],
    ['${EMPTY+set}', 'set'],
    ['${UNSET+set}', ''],
    ['${A?}', 'x y'],
    ['${FILE%.*}', 'archive.tar'],
    ['${FILE%%.*}', 'archive'],
    ['${FILE#*.}', 'tar.gz'],
    ['${FILE##*.}', 'gz'],
    ['${PATH_VAR/usr/opt}', '/opt/local/bin:/usr/bin'],
    ['${PATH_VAR//usr/opt}', '/opt/local/bin:/opt/bin'],
    ['\'$A\'"$A"\\$A', '$Ax y$A'],
  ])('%s -> %s', (word, expected) => {
    expect(expandWord(word, env)).toBe(expected);
  });

  it('fails ${VAR:?msg} and ${VAR?msg} with the message and the caller-supplied location', () => {
    const location = { file: 'Dockerfile', line: 4, column: 7 };
    expect(() => expandWord('${UNSET:?must be set}', env, { location })).toThrow(
      expect.objectContaining({
        code: 'DF_EXPAND',
        location,
        message: expect.stringContaining('UNSET: must be set'),
      }),
    );
    expect(() => expandWord('${EMPTY?}', env)).not.toThrow();
    expect(() => expandWord('${EMPTY:?}', env)).toThrow(/EMPTY: is not allowed to be empty/);
  });

  it('uses the backtick as escape character when told to', () => {
    expect(expandWord('C:\\dir`$A', env, { escape: '`' })).toBe('C:\\dir$A');
    expect(expandWord('C:\\dir\\$A', env, { escape: '`' })).toBe('C:\\dir\\x y');
  });

  it('splits unquoted expansions only', () => {
    expect(expandWords('$A "$A" z', env)).toEqual(['x', 'y', 'x y', 'z']);
  });

  it('accepts a lookup function and reports every referenced variable', () => {
    const seen: [string, boolean][] = [];
    const value = expandWord('$A-${MISSING:-m}-$A', (name) => env.get(name), {
      onVariable: (name, defined) => seen.push([name, defined]),
    });
    expect(value).toBe('x y-m-x y');
    expect(seen).toEqual([
      ['A', true],
      ['MISSING', false],
      ['A', true],
    ]);
  });
});
