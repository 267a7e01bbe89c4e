/** Helpers shared by the parser tests. */
import type { Dockerfile } from '../../src/parser/index.ts';

/** The AST without positions and source text: what must survive parse -> print -> parse. */
export function withoutLocations(ast: Dockerfile): unknown {
  return JSON.parse(
    JSON.stringify(ast, (key, value) => (key === 'range' || key === 'source' ? undefined : value)),
  );
}
