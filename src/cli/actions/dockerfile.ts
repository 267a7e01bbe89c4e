/** What `parse`, `lint` and `build --check` do: the parser and BuildKit's checks on one Dockerfile. */
import {
  type Diagnostic,
  formatDiagnostic,
  lintDockerfile,
  parseDockerfile,
  parseResultToJSON,
} from '../../index.ts';
import type { DockerfileSource } from '../dockerfile-source.ts';
import { readDockerfile } from '../dockerfile-source.ts';
import { EXIT } from '../errors.ts';
import type { CliContext, GlobalArgs } from '../shared.ts';

export interface FileArgs extends GlobalArgs {
  readonly file: string;
  readonly format: 'text' | 'json';
  readonly 'build-arg'?: string[];
}

function findingJson(d: Diagnostic) {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    line: d.range.start.line,
    column: d.range.start.column,
    endLine: d.range.end.line,
    endColumn: d.range.end.column,
    ...(d.hint !== undefined && { hint: d.hint }),
  };
}

/** Parse errors and lint findings of one Dockerfile, in source order. */
export function dockerfileFindings(
  source: DockerfileSource,
  buildArgs: Record<string, string> = {},
): Diagnostic[] {
  const parsed = parseDockerfile(source.text, { file: source.name });
  if (parsed.errors.length > 0) return [...parsed.errors];
  const lint = lintDockerfile(parsed, { buildArgs: new Map(Object.entries(buildArgs)) });
  return [...lint.errors, ...lint.warnings].sort((a, b) => a.range.start.offset - b.range.start.offset);
}

/** Prints findings as text (with the line and a caret) or JSON; returns the exit code. */
export function reportFindings(
  source: DockerfileSource,
  findings: readonly Diagnostic[],
  format: 'text' | 'json',
  ctx: CliContext,
): number {
  if (format === 'json') {
    ctx.out(`${JSON.stringify({ file: source.name, findings: findings.map(findingJson) }, null, 2)}\n`);
  } else {
    for (const d of findings) ctx.err(`${formatDiagnostic(d, source.text, source.name)}\n`);
    if (findings.length > 0) ctx.err(`${findings.length} finding${findings.length === 1 ? '' : 's'}\n`);
  }
  return findings.length === 0 ? EXIT.ok : EXIT.failed;
}

export async function parseCommand(args: FileArgs, ctx: CliContext): Promise<number> {
  const source = await readDockerfile(args.file, ctx);
  const parsed = parseDockerfile(source.text, { file: source.name });
  if (args.format === 'json') ctx.out(`${JSON.stringify(parseResultToJSON(parsed), null, 2)}\n`);
  else
    for (const i of parsed.ast.instructions)
      ctx.out(`${i.range.start.line}:${i.range.start.column}\t${i.kind}\t${i.source.split('\n')[0]}\n`);
  for (const d of parsed.errors) ctx.err(`${formatDiagnostic(d, source.text, source.name)}\n`);
  return parsed.errors.length > 0 ? EXIT.dockerfile : EXIT.ok;
}

export async function lintCommand(args: FileArgs, ctx: CliContext): Promise<number> {
  const source = await readDockerfile(args.file, ctx);
  const buildArgs = Object.fromEntries(
    (args['build-arg'] ?? []).map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)]),
  );
  return reportFindings(source, dockerfileFindings(source, buildArgs), args.format, ctx);
}
