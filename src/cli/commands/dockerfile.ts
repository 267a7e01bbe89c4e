/** Dockerfile tools without a build: `parse` (the AST) and `lint` (BuildKit's checks). */
import type { Argv } from 'yargs';
import type { FileArgs } from '../actions/dockerfile.ts';
import type { CliContext, GlobalArgs } from '../shared.ts';

/** The parser loads only when one of these commands runs. */
const actions = () => import('../actions/dockerfile.ts');

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
    async (args) => setExit(await (await actions()).parseCommand(args, ctx)),
  );

  parser.command<FileArgs>(
    'lint [file]',
    "Run BuildKit's Dockerfile checks; exit 1 when there are findings",
    (y) =>
      fileCommand(y)
        .option('build-arg', { type: 'string', array: true, describe: 'Build argument (KEY=VALUE)' })
        .example('$0 lint', 'Check ./Dockerfile')
        .example('$0 lint --format json docker/Dockerfile', 'Findings as JSON, for editors and CI'),
    async (args) => setExit(await (await actions()).lintCommand(args, ctx)),
  );
}
