/** Dockerfile tools without a build: `parse` (the AST) and `lint` (BuildKit's checks). */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Argv } from 'yargs';
import {
  type Diagnostic,
  formatDiagnostic,
  lintDockerfile,
  parseDockerfile,
  parseResultToJSON,
  TsbuildError,
} from '../../index.ts';
import { EXIT } from '../errors.ts';
import type { CliContext, GlobalArgs } from '../shared.ts';

interface FileArgs extends GlobalArgs {
  readonly file: string;
  readonly format: 'text' | 'json';
  readonly 'build-arg'?: string[];
}

export interface DockerfileSource {
  /** Name shown in messages. */
  readonly name: string;
  readonly text: string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The Dockerfile at `path`, or standard input for `-`. */
export async function readDockerfile(path: string, ctx: CliContext): Promise<DockerfileSource> {
  if (path === '-') return { name: 'Dockerfile', text: await readAll(ctx.stdin) };
  try {
    return { name: basename(path), text: await readFile(path, 'utf8') };
  } catch (error) {
    throw new TsbuildError('USAGE', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
      hint: 'give the Dockerfile path (or - for standard input)',
    });
  }
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

function fileCommand(y: Argv<GlobalArgs>) {
  return y
    .positional('file', {
      type: 'string',
      default: 'Dockerfile',
      describe: 'Dockerfile path, or - for stdin',
    })
    .option('format', { type: 'string', choices: ['text', 'json'], default: 'text' });
}

export function dockerfileCommands(parser: Argv, ctx: CliContext, setExit: (code: number) => void): void {
  parser.command<FileArgs>(
    'parse [file]',
    'Parse a Dockerfile and print its syntax tree',
    (y) =>
      fileCommand(y)
        .example('$0 parse --format json', 'The AST of ./Dockerfile as JSON (schema versioned)')
        .example('$0 parse -', 'A Dockerfile from standard input, one instruction per line'),
    async (args) => {
      const source = await readDockerfile(args.file, ctx);
      const parsed = parseDockerfile(source.text, { file: source.name });
      if (args.format === 'json') ctx.out(`${JSON.stringify(parseResultToJSON(parsed), null, 2)}\n`);
      else
        for (const i of parsed.ast.instructions)
          ctx.out(`${i.range.start.line}:${i.range.start.column}\t${i.kind}\t${i.source.split('\n')[0]}\n`);
      for (const d of parsed.errors) ctx.err(`${formatDiagnostic(d, source.text, source.name)}\n`);
      setExit(parsed.errors.length > 0 ? EXIT.dockerfile : EXIT.ok);
    },
  );

  parser.command<FileArgs>(
    'lint [file]',
    "Run BuildKit's Dockerfile checks; exit 1 when there are findings",
    (y) =>
      fileCommand(y)
        .option('build-arg', { type: 'string', array: true, describe: 'Build argument (KEY=VALUE)' })
        .example('$0 lint', 'Check ./Dockerfile')
        .example('$0 lint --format json docker/Dockerfile', 'Findings as JSON, for editors and CI'),
    async (args) => {
      const source = await readDockerfile(args.file, ctx);
      const buildArgs = Object.fromEntries(
        (args['build-arg'] ?? []).map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)]),
      );
      setExit(reportFindings(source, dockerfileFindings(source, buildArgs), args.format, ctx));
    },
  );
}
