/**
 * Start-up time of whole `tsbuild` commands, as a user runs them (bin/tsbuild.js on the bundle):
 * `version`, `--help`, a no-op rebuild of fixtures/my-httpd in-process, and the same rebuild
 * through a daemon (`--host`), next to Node's own start. Timed with hyperfine (median, min, and
 * CPU per run); prints a Markdown table and the load average, since other work on the machine
 * skews the figures. Bundles first, so the figures are of the current sources. `--baseline DIR`
 * adds the same commands (but the daemon's) run by another checkout's bin/tsbuild.js, built there,
 * e.g. `git archive REV | tar -x -C DIR`, node_modules linked, `npm run build` in DIR.
 * Usage (root, runc, busybox-static, hyperfine): node bench/startup.ts [--runs N] [--baseline DIR]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { bundleCli } from '../scripts/bundle.ts';

const { values: flags } = parseArgs({
  options: { runs: { type: 'string', default: '30' }, baseline: { type: 'string' } },
});
const runs = Number(flags.runs);
const repo = resolve(import.meta.dirname, '..');
const node = process.execPath;

interface HyperfineResult {
  readonly command: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly user: number;
  readonly system: number;
}

/**
 * A private copy of the package (bin/, the bundle, package.json, node_modules linked), so an
 * `npm run build` or tsc run elsewhere during the benchmark cannot change what is timed.
 */
async function install(dir: string): Promise<string> {
  await bundleCli(join(dir, 'dist/bundle'));
  await mkdir(join(dir, 'bin'));
  await copyFile(join(repo, 'bin/tsbuild.js'), join(dir, 'bin/tsbuild.js'));
  await copyFile(join(repo, 'package.json'), join(dir, 'package.json'));
  await symlink(join(repo, 'node_modules'), join(dir, 'node_modules'));
  return join(dir, 'bin/tsbuild.js');
}

function tsbuild(args: readonly string[]): string {
  return execFileSync(node, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** hyperfine without a shell; `-N` splits each command on spaces, so paths here have none. */
function hyperfine(commands: Readonly<Record<string, string>>, json: string): void {
  const names = Object.keys(commands);
  execFileSync(
    'hyperfine',
    [
      '-N',
      '--warmup',
      '5',
      '--runs',
      String(runs),
      '--export-json',
      json,
      ...names.flatMap((name) => ['-n', name, commands[name]!]),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

async function results(json: string): Promise<HyperfineResult[]> {
  return (JSON.parse(await readFile(json, 'utf8')) as { results: HyperfineResult[] }).results;
}

async function startDaemon(root: string, socket: string): Promise<ChildProcess> {
  const child = spawn(node, [bin, '--root', root, 'serve', '--socket', socket], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(50);
  if (!existsSync(socket)) throw new Error(`the daemon did not create ${socket}`);
  return child;
}

const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;

if (process.getuid?.() !== 0) throw new Error('bench/startup.ts needs root (builds run RUN steps in runc)');
execFileSync('hyperfine', ['--version'], { stdio: 'ignore' });
const base = await mkdtemp(join(tmpdir(), 'tsbuild-startup-'));
const bin = await install(join(base, 'package'));
let daemon: ChildProcess | undefined;
try {
  const store = join(base, 'store');
  const context = join(base, 'my-httpd');
  const socket = join(base, 'd.sock');
  execFileSync(join(repo, 'fixtures/busybox/make-rootfs.sh'), [join(base, 'rootfs.tar')], {
    stdio: 'ignore',
  });
  tsbuild(['--root', store, 'import', join(base, 'rootfs.tar'), 'busybox:local']);
  await cp(join(repo, 'fixtures/my-httpd'), context, { recursive: true });
  tsbuild(['--root', store, 'build', '-q', '-t', 'my-httpd', context]);
  await sleep(2500); // the stat cache trusts only files older than its racy window
  daemon = await startDaemon(store, socket);
  const build = `build -q -t my-httpd ${context}`;
  const baseline = flags.baseline === undefined ? undefined : join(resolve(flags.baseline), 'bin/tsbuild.js');
  const commands = {
    'node -e 0 (Node alone)': `${node} -e 0`,
    'tsbuild version': `${node} ${bin} version`,
    'tsbuild --help': `${node} ${bin} --help`,
    'no-op build, in-process': `${node} ${bin} --root ${store} ${build}`,
    'no-op build, --host daemon': `${node} ${bin} --host unix://${socket} ${build}`,
    ...(baseline !== undefined && {
      'baseline: version': `${node} ${baseline} version`,
      'baseline: --help': `${node} ${baseline} --help`,
      'baseline: no-op build, in-process': `${node} ${baseline} --root ${store} ${build}`,
    }),
  };
  const before = loadavg();
  const json = join(base, 'hyperfine.json');
  hyperfine(commands, json);
  const after = loadavg();
  process.stdout.write(
    `\n${tsbuild(['version']).trim()}; ${runs} runs each after 5 warm-up runs\n` +
      `load average (1 min) before ${before[0]!.toFixed(2)}, after ${after[0]!.toFixed(2)}\n\n` +
      '| command | median | min | max | CPU (user + sys) |\n|---|---|---|---|---|\n',
  );
  for (const r of await results(json))
    process.stdout.write(
      `| ${r.command} | ${ms(r.median)} | ${ms(r.min)} | ${ms(r.max)} | ${ms(r.user + r.system)} |\n`,
    );
} finally {
  if (daemon !== undefined && daemon.exitCode === null) {
    const exited = new Promise((done) => daemon!.once('exit', done));
    daemon.kill('SIGTERM');
    await exited;
  }
  await rm(base, { recursive: true, force: true });
}
