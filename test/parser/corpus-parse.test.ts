import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseDockerfile } from '../../src/parser/index.ts';
import { corpusDir, corpusDockerfiles, hasCorpus, noCorpusReason } from './corpus.ts';

describe.skipIf(!hasCorpus)(
  `corpus Dockerfiles parse (${hasCorpus ? 'dockerfiles/' : noCorpusReason})`,
  () => {
    const files = corpusDockerfiles();

    it('finds the corpus files', () => {
      expect(files.length).toBeGreaterThanOrEqual(44);
    });

    it.each(files)('%s parses with no error', (file) => {
      const text = readFileSync(join(corpusDir, file), 'utf8');
      const result = parseDockerfile(text);
      expect(result.errors.map((e) => formatDiagnostic(e, text, file))).toEqual([]);
      expect(result.ast.instructions.some((i) => i.kind === 'FROM')).toBe(true);
    });
  },
);
