/**
 * A private compiled copy of tsbuild for one harness run (bench/work/tsbuild): the shared dist/
 * is rebuilt by whoever runs the tests, and a rebuild in the middle of a benchmark breaks or
 * skews it. Node finds the project's node_modules by walking up from bench/work.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { firstLine, run } from './shell.ts';

const REPO = resolve(import.meta.dirname, '../..');

export interface TsbuildInstall {
  readonly node: string;
  readonly bin: string;
  /** The CLI's own version line and the repository revision it was compiled from. */
  readonly version: string;
  /** Commands the compiled CLI offers (from its --help). */
  readonly commands: ReadonlySet<string>;
}

async function gitRevision(): Promise<string> {
  const rev = (await firstLine('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'])) ?? 'unknown';
  const dirty = await run('git', ['-C', REPO, 'status', '--porcelain', '--', 'src', 'bin'])
    .then((r) => r.stdout.trim() !== '')
    .catch(() => false);
  return dirty ? `${rev}+uncommitted src/` : rev;
}

export async function installTsbuild(work: string, say: (line: string) => void): Promise<TsbuildInstall> {
  const dir = join(work, 'tsbuild');
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'bin'), { recursive: true });
  try {
    await promisify(execFile)(
      join(REPO, 'node_modules/.bin/tsc'),
      // No declarations or maps: the project's typecheck includes bench/, work directory too.
      [
        '-p',
        join(REPO, 'tsconfig.build.json'),
        '--outDir',
        join(dir, 'dist'),
        '--declaration',
        'false',
        '--sourceMap',
        'false',
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    // tsc emits even with type errors (someone may be mid-edit); the CLI smoke check below decides.
    const out = (error as { stdout?: string }).stdout ?? '';
    say(`tsc reported errors while compiling tsbuild (emitted anyway):\n${out.slice(0, 2000)}`);
  }
  // bin/tsbuild.js runs the bundle (scripts/bundle.ts) when it is there: bundle as `npm run build` does.
  if (existsSync(join(REPO, 'scripts/bundle.ts'))) {
    await run(process.execPath, [join(REPO, 'scripts/bundle.ts'), join(dir, 'dist/bundle')]);
  }
  await copyFile(join(REPO, 'bin/tsbuild.js'), join(dir, 'bin/tsbuild.js'));
  await copyFile(join(REPO, 'package.json'), join(dir, 'package.json'));
  const node = process.execPath;
  const bin = join(dir, 'bin/tsbuild.js');
  const { stdout: help } = await run(node, [bin, '--help']);
  const commands = new Set([...help.matchAll(/^ {2}tsbuild (\w+)/gm)].map((m) => m[1]!));
  const cliVersion = (await firstLine(node, [bin, 'version'])) ?? 'tsbuild ?';
  return {
    node,
    bin,
    version: `${cliVersion}, git ${await gitRevision()}`,
    commands,
  };
}
