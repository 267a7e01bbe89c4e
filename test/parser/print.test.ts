import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerfile, printDockerfile } from '../../src/parser/index.ts';
import { corpusDir, corpusDockerfiles, hasCorpus, noCorpusReason } from './corpus.ts';
import { withoutLocations } from './support.ts';

function roundTrip(text: string): { printed: string; before: unknown; after: unknown } {
  const first = parseDockerfile(text);
  expect(first.errors).toEqual([]);
  const printed = printDockerfile(first.ast);
  const second = parseDockerfile(printed);
  expect(second.errors).toEqual([]);
  return { printed, before: withoutLocations(first.ast), after: withoutLocations(second.ast) };
}

describe('printDockerfile', () => {
  it('prints one line per instruction, directives first, stages separated', () => {
    const { printed } = roundTrip(
      '# syntax=docker/dockerfile:1\n# a comment\nfrom alpine AS base\nRUN echo a \\\n  && echo b\nFROM base\nCMD ["sh"]\n',
    );
    expect(printed).toBe(
      [
        '# syntax=docker/dockerfile:1',
        '',
        '# a comment',
        'from alpine AS base',
        'RUN echo a   && echo b',
        '',
        'FROM base',
        'CMD ["sh"]',
        '',
      ].join('\n'),
    );
  });

  it.each([
    [
      'heredocs with chomp and quoting',
      'FROM a\nRUN <<-EOT bash\n\techo "$HOME"\n\tEOT\nCOPY <<"A" <<B /dst/\nx $y\nA\nz\nB\n',
    ],
    ['the backtick escape', '# escape=`\nFROM a\nRUN dir c:\\ `\n  && echo x\nENV P=C:\\x`\\y\n'],
    [
      'flags with quotes and spaces',
      'FROM a\nRUN --mount=type=secret,id=x,target="/run/my secret" cat "/run/my secret"\n',
    ],
    ['arguments that start with --', 'FROM a\nCMD -- --help\n'],
    ['ONBUILD with a heredoc', 'FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n'],
    ['legacy ENV and LABEL', 'FROM a\nENV A  b c\nLABEL "x y" z\n'],
    [
      'HEALTHCHECK forms',
      'FROM a\nHEALTHCHECK --interval=5s --retries=3 CMD curl -f http://x/\nHEALTHCHECK NONE\n',
    ],
    ['a comment that looks like a directive', '\n# syntax=not-a-directive\nFROM a\n'],
    ['JSON COPY and VOLUME', 'FROM a\nCOPY ["a b", "/c d/"]\nVOLUME ["/data", "/logs"]\n'],
    // Found by the fuzzer: a command ending in a lone escape (only possible at the end of the file).
    ['a command that ends with the escape character', 'FROM a\nRUN echo hi \\ \\'],
    ['comments inside a continuation', 'FROM a\nRUN a \\\n# inside\n  b\n# after\nCMD x\n'],
    // Found by the fuzzer: fields that spell a JSON array once joined by spaces.
    ['COPY fields that are not JSON only because of a vertical tab', 'FROM a\nCOPY ["a",\v"b"] /x\n'],
  ])('round-trips %s', (_name, text) => {
    const { before, after } = roundTrip(text);
    expect(after).toEqual(before);
  });
});

describe.skipIf(!hasCorpus)(`corpus round trip (${hasCorpus ? 'dockerfiles/' : noCorpusReason})`, () => {
  it.each(corpusDockerfiles())('%s: parse -> print -> parse gives the same AST', (file) => {
    const { before, after } = roundTrip(readFileSync(join(corpusDir, file), 'utf8'));
    expect(after).toEqual(before);
  });
});
