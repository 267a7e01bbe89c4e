import { describe, expect, it } from 'vitest';
import { AST_SCHEMA_VERSION, astToJSON, parseDockerfile, parseResultToJSON } from '../../src/parser/index.ts';

describe('astToJSON', () => {
  const text = 'FROM alpine AS base\nONBUILD COPY --chown=1:1 <<EOF /x\nhi\nEOF\n';
  const json = astToJSON(parseDockerfile(text).ast);

  it('carries the schema version, escape, directives, instructions and comments', () => {
    expect(Object.keys(json)).toEqual(['schemaVersion', 'escape', 'directives', 'instructions', 'comments']);
    expect(json.schemaVersion).toBe(AST_SCHEMA_VERSION);
  });

  it('orders instruction keys: kind, keyword, range, flags, own fields, source', () => {
    const [from, onbuild] = json.instructions as Record<string, unknown>[];
    expect(Object.keys(from ?? {})).toEqual([
      'kind',
      'keyword',
      'range',
      'flags',
      'image',
      'stageName',
      'asKeyword',
      'source',
    ]);
    const trigger = (onbuild?.instruction ?? {}) as Record<string, unknown>;
    expect(trigger).toMatchObject({
      kind: 'COPY',
      flags: [{ name: 'chown', value: '1:1' }],
      sources: ['<<EOF'],
      heredocs: [{ name: 'EOF', expand: true, chomp: false, content: 'hi\n' }],
    });
    expect(Object.keys(trigger).at(-1)).toBe('source');
  });

  it('is plain data: serialising and reading back changes nothing', () => {
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('parseResultToJSON adds the diagnostics', () => {
    const result = parseResultToJSON(parseDockerfile('FROM a\nRUNN x\n'));
    expect(result.errors).toEqual([
      expect.objectContaining({ code: 'DF_UNKNOWN_INSTRUCTION', hint: 'did you mean RUN?' }),
    ]);
    expect(result.warnings).toEqual([]);
  });
});
