/**
 * The JSON dump behind `tsbuild parse --format json`. The schema is documented in
 * docs/dockerfile-ast.md and versioned: fields may be added in a minor change,
 * never renamed or removed without bumping `schemaVersion`.
 */
import type { Diagnostic, Dockerfile, Heredoc, Instruction, ParseResult, Position, Range } from './ast.ts';

export const AST_SCHEMA_VERSION = 1;

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };
export type JsonObject = { readonly [key: string]: Json };

const positionToJSON = (p: Position): JsonObject => ({ line: p.line, column: p.column, offset: p.offset });
const rangeToJSON = (r: Range): JsonObject => ({
  start: positionToJSON(r.start),
  end: positionToJSON(r.end),
});

const HEAD = new Set(['kind', 'keyword', 'range', 'flags', 'source']);

function heredocToJSON(h: Heredoc): JsonObject {
  return { name: h.name, expand: h.expand, chomp: h.chomp, content: h.content, range: rangeToJSON(h.range) };
}

function valueToJSON(key: string, value: unknown): Json {
  if (key === 'instruction') return instructionToJSON(value as Instruction);
  if (key === 'heredocs') return (value as readonly Heredoc[]).map(heredocToJSON);
  // Everything else in an instruction is strings, booleans, arrays and plain records of those.
  return value as Json;
}

/** Keys in a fixed order: kind, keyword, range, flags, the instruction's own fields, source. */
export function instructionToJSON(i: Instruction): JsonObject {
  const own = Object.entries(i)
    .filter(([key, value]) => !HEAD.has(key) && value !== undefined)
    .map(([key, value]) => [key, valueToJSON(key, value)] as const);
  return {
    kind: i.kind,
    keyword: i.keyword,
    range: rangeToJSON(i.range),
    flags: i.flags.map((f) => ({ name: f.name, value: f.value ?? null, range: rangeToJSON(f.range) })),
    ...Object.fromEntries(own),
    source: i.source,
  };
}

export function astToJSON(ast: Dockerfile): JsonObject {
  return {
    schemaVersion: AST_SCHEMA_VERSION,
    escape: ast.escape,
    directives: ast.directives.map((d) => ({ name: d.name, value: d.value, range: rangeToJSON(d.range) })),
    instructions: ast.instructions.map(instructionToJSON),
    comments: ast.comments.map((c) => ({ text: c.text, range: rangeToJSON(c.range) })),
  };
}

/** One diagnostic as JSON (what `tsbuild lint --format json` prints per finding). */
export function diagnosticToJSON(d: Diagnostic): JsonObject {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.hint === undefined ? {} : { hint: d.hint }),
    range: rangeToJSON(d.range),
  };
}

/** The AST plus the parse diagnostics, for tools that want both in one document. */
export function parseResultToJSON(result: ParseResult): JsonObject {
  return {
    ...astToJSON(result.ast),
    errors: result.errors.map(diagnosticToJSON),
    warnings: result.warnings.map(diagnosticToJSON),
  };
}
