/** The Dockerfile front end: parsing, word expansion, diagnostics, lint checks, printing and the JSON dump. */
export type * from './ast.ts';
export type { EnvLookup, ExpandOptions } from './expand/expand.ts';
export { expandWord, expandWords } from './expand/expand.ts';
export { formatDiagnostic } from './format.ts';
export { AST_SCHEMA_VERSION, astToJSON, diagnosticToJSON, parseResultToJSON } from './json.ts';
export { CHECK_NAMES, type LintOptions, type LintResult, lintDockerfile } from './lint/index.ts';
export { type ParseOptions, parseDockerfile } from './parse.ts';
export { printDockerfile } from './print.ts';
export { diagnosticToError, locationOf, parseDockerfileOrThrow } from './throwing.ts';
