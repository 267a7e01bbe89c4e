import { describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import {
  formatDiagnostic,
  type Instruction,
  parseDockerfile,
  parseDockerfileOrThrow,
} from '../../src/parser/index.ts';

const only = (text: string): Instruction => {
  const result = parseDockerfile(text);
  expect(result.errors).toEqual([]);
  const last = result.ast.instructions.at(-1);
  if (last === undefined) throw new Error('no instruction');
  return last;
};

const errorsOf = (text: string) =>
  parseDockerfile(text).errors.map((e) => ({
    message: e.message,
    line: e.range.start.line,
    column: e.range.start.column,
  }));

describe('parseDockerfile: instructions', () => {
  it('reads FROM with platform and a stage name, keeping casing as written', () => {
    expect(only('FROM --platform=$BUILDPLATFORM golang:1.22 as Build\n')).toMatchObject({
      kind: 'FROM',
      keyword: 'FROM',
      image: 'golang:1.22',
      stageName: 'Build',
      asKeyword: 'as',
      platform: '$BUILDPLATFORM',
    });
  });

  it('tells shell form from exec form and falls back to shell form on invalid JSON', () => {
    expect(only('FROM a\nRUN ["echo", "hi"]')).toMatchObject({
      kind: 'RUN',
      command: { form: 'exec', args: ['echo', 'hi'] },
    });
    expect(only('FROM a\nCMD ["echo" "hi"]')).toMatchObject({
      command: { form: 'shell', command: '["echo" "hi"]' },
    });
    expect(only("FROM a\nENTRYPOINT ['sh']")).toMatchObject({
      command: { form: 'shell', command: "['sh']" },
    });
    expect(only('FROM a\nCMD   echo   hi  ')).toMatchObject({
      command: { form: 'shell', command: 'echo   hi' },
    });
  });

  it('rejects a JSON array holding a non-string, pointing at the element', () => {
    expect(errorsOf('FROM a\nCMD ["echo", 42]')).toEqual([
      {
        message: 'when using JSON array syntax, arrays must be comprised of strings only',
        line: 2,
        column: 14,
      },
    ]);
  });

  it('joins continuation lines, skipping comment lines inside them', () => {
    const run = only('FROM a\nRUN apt-get update && \\\n  # a comment\n    apt-get install -y curl\n');
    expect(run).toMatchObject({
      command: { form: 'shell', command: 'apt-get update &&     apt-get install -y curl' },
    });
    expect(run.range.start).toMatchObject({ line: 2, column: 1 });
    expect(run.range.end.line).toBe(4);
  });

  it('reads COPY flags into typed fields', () => {
    expect(
      only('FROM a\nCOPY --from=build --chown=app:app --chmod=0644 --link a.txt b/ /dest/'),
    ).toMatchObject({
      kind: 'COPY',
      from: 'build',
      chown: 'app:app',
      chmod: '0644',
      link: true,
      sources: ['a.txt', 'b/'],
      dest: '/dest/',
      json: false,
    });
  });

  it('reads ENV in both forms, ARG with and without defaults, LABEL, EXPOSE, USER, WORKDIR', () => {
    expect(only('FROM a\nENV A=1 B="x y"')).toMatchObject({
      pairs: [
        { key: 'A', value: '1' },
        { key: 'B', value: '"x y"' },
      ],
      legacy: false,
    });
    expect(only('FROM a\nENV PATH /usr/bin:$PATH  more')).toMatchObject({
      pairs: [{ key: 'PATH', value: '/usr/bin:$PATH  more' }],
      legacy: true,
    });
    expect(only('ARG A B=2 C=')).toMatchObject({
      args: [{ name: 'A' }, { name: 'B', defaultValue: '2' }, { name: 'C', defaultValue: '' }],
    });
    expect(only('FROM a\nLABEL "com.example"="x" b=c')).toMatchObject({
      pairs: [
        { key: '"com.example"', value: '"x"' },
        { key: 'b', value: 'c' },
      ],
    });
    expect(only('FROM a\nEXPOSE 80 443/udp 7000-7010/tcp')).toMatchObject({
      ports: ['80', '443/udp', '7000-7010/tcp'],
    });
    expect(only('FROM a\nUSER app:app')).toMatchObject({ user: 'app:app' });
    expect(only('FROM a\nWORKDIR /srv/my app')).toMatchObject({ path: '/srv/my app' });
  });
});

describe('parseDockerfile: errors', () => {
  it('reports an unknown instruction at its keyword with a suggestion', () => {
    const result = parseDockerfile('FROM a\n  RUNN echo hi\n');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({
      code: 'DF_UNKNOWN_INSTRUCTION',
      message: 'unknown instruction: RUNN',
      hint: 'did you mean RUN?',
      range: { start: { line: 2, column: 3 }, end: { line: 2, column: 7 } },
    });
  });

  it('reports an unknown flag at the flag, and keeps parsing later lines', () => {
    const result = parseDockerfile('FROM a\nCOPY --form=x a b\nFROOM b\n');
    expect(result.errors.map((e) => [e.message, e.hint, e.range.start.line, e.range.start.column])).toEqual([
      ['unknown flag: form', 'did you mean --from?', 2, 6],
      ['unknown instruction: FROOM', 'did you mean FROM?', 3, 1],
    ]);
  });

  it('formats a diagnostic with file, line, column, the line and a caret', () => {
    const text = 'FROM a\n\tRUNN echo hi\n';
    const [error] = parseDockerfile(text).errors;
    if (error === undefined) throw new Error('expected an error');
    expect(formatDiagnostic(error, text, 'Dockerfile')).toBe(
      [
        'Dockerfile:2:2: unknown instruction: RUNN',
        '    2 | \tRUNN echo hi',
        '      | \t^^^^',
        '  hint: did you mean RUN?',
      ].join('\n'),
    );
  });

  it('parseDockerfileOrThrow throws a located TsbuildError', () => {
    let thrown: unknown;
    try {
      parseDockerfileOrThrow('FROM a\nCOPY onlyone\n', { file: 'sub/Dockerfile' });
    } catch (error) {
      thrown = error;
    }
    expect(isTsbuildError(thrown, 'DF_PARSE')).toBe(true);
    expect(thrown).toMatchObject({
      message:
        'COPY requires at least two arguments, but only one was provided. Destination could not be determined.',
      location: { file: 'sub/Dockerfile', line: 2, column: 6 },
    });
    expect(() => parseDockerfileOrThrow('FROM a\nFOO x')).toThrow(
      expect.objectContaining({ code: 'DF_UNKNOWN_INSTRUCTION' }),
    );
  });
});
