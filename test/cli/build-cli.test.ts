/**
 * `tsbuild build` as a user types it: every kind of context (directory, `-`, tarball), `-f -`,
 * outputs (oci, docker, local, tar), `--iidfile`, `--metadata-file`, `-q`, json progress, step
 * logs kept with the build record, and the errors a user meets (with their exit codes).
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { E2E_REASON, E2E_SKIP, REPO } from '../support/cli.ts';
import { runCli } from './run-cli.ts';

const run = promisify(execFile);

async function tarOf(dir: string): Promise<Buffer> {
  const { stdout } = await run('tar', ['-C', dir, '-c', '.'], { encoding: 'buffer', maxBuffer: 1 << 26 });
  return stdout;
}

describe.skipIf(E2E_SKIP)(`tsbuild build (${E2E_REASON})`, () => {
  let dir: string;
  let store: string;
  let context: string;
  const cli = (args: readonly string[], input?: string | Buffer) =>
    runCli(args, { root: store, ...(input !== undefined && { input }) });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsb-build-cli-'));
    store = join(dir, 'store');
    context = join(dir, 'ctx');
    await cp(join(REPO, 'fixtures/my-httpd'), context, { recursive: true });
    await writeFile(
      join(context, 'Dockerfile.logs'),
      'FROM busybox:local\nRUN for i in 1 2 3; do echo "line $i of the step"; done\n',
    );
    expect((await cli(['import', inject('busyboxRootfs'), 'busybox:local'])).code).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every output kind, the iidfile and the metadata file', async () => {
    const out = join(dir, 'out');
    const built = await cli([
      'build',
      '-t',
      'my-httpd',
      '--progress=plain',
      '-o',
      `type=oci,dest=${out}-oci.tar`,
      '-o',
      `type=docker,dest=${out}-docker.tar`,
      '-o',
      `type=local,dest=${out}-fs`,
      '-o',
      `type=tar,dest=${out}-fs.tar`,
      '--iidfile',
      `${out}.iid`,
      '--metadata-file',
      `${out}.json`,
      context,
    ]);
    expect(built.stderr).toMatch(/#\d+ exporting to oci archive .*out-oci\.tar\n#\d+ DONE/);
    expect(built.code).toBe(0);
    const id = await readFile(`${out}.iid`, 'utf8');
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const meta = JSON.parse(await readFile(`${out}.json`, 'utf8'));
    expect(meta).toMatchObject({ 'containerimage.config.digest': id, 'image.name': 'my-httpd:latest' });
    expect(await readFile(join(`${out}-fs`, 'var/www/index.html'), 'utf8')).toBe(
      await readFile(join(context, 'index.html'), 'utf8'),
    );
    expect(await readFile(join(`${out}-fs`, 'built.txt'), 'utf8')).toBe('built by tsbuild\n');
    const files = (await run('tar', ['-tf', `${out}-fs.tar`])).stdout.split('\n');
    expect(files).toEqual(expect.arrayContaining(['built.txt', 'var/www/index.html', 'bin/busybox']));
    expect((await run('tar', ['-tf', `${out}-oci.tar`])).stdout).toMatch(/^index\.json$/m);
    expect((await run('tar', ['-tf', `${out}-docker.tar`])).stdout).toMatch(/^manifest\.json$/m);
  });

  it('reports the bytes of an export as it writes them', async () => {
    const built = await cli([
      'build',
      '--progress=json',
      '-o',
      `type=docker,dest=${join(dir, 'p.tar')}`,
      context,
    ]);
    expect(built.code).toBe(0);
    const events = built.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; phase?: { name: string }; current?: number });
    const progress = events.filter(
      (e) => e.type === 'phase.progress' && e.phase?.name.includes('docker archive'),
    );
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)?.current).toBe((await stat(join(dir, 'p.tar'))).size);
  });

  it('runs the built image: the words after IMAGE are the command, its exit code is ours', async () => {
    const ran = await cli(['run', '--rm', 'my-httpd', 'sh', '-c', 'pwd; cat /built.txt; exit 3']);
    expect(ran.stdout).toBe('/var/www\nbuilt by tsbuild\n');
    expect(ran.code).toBe(3);
  });

  it('takes the context as a tar on standard input and as a tarball path', async () => {
    const tar = await tarOf(context);
    const fromStdin = await cli(['build', '-q', '-'], tar);
    expect(fromStdin.stderr).toBe('');
    expect(fromStdin.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    await writeFile(join(dir, 'ctx.tar'), tar);
    const fromFile = await cli(['build', '-q', join(dir, 'ctx.tar')]);
    expect(fromFile.stdout).toBe(fromStdin.stdout);
    expect(await readdir(join(store, 'tmp'))).toEqual([]);
  });

  it('reads the Dockerfile from standard input with -f -', async () => {
    const built = await cli(
      ['build', '-f', '-', '--progress=json', context],
      'FROM busybox:local\nRUN echo from-stdin\n',
    );
    expect(built.code).toBe(0);
    const events = built.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data?: string });
    expect(events[0]?.type).toBe('build.started');
    expect(events.at(-1)?.type).toBe('build.completed');
    expect(
      events
        .filter((e) => e.type === 'vertex.log')
        .map((e) => e.data)
        .join(''),
    ).toContain('from-stdin');
  });

  it('keeps every step log with the build record', async () => {
    const built = await cli([
      'build',
      '--no-cache',
      '-f',
      join(context, 'Dockerfile.logs'),
      '--progress=plain',
      context,
    ]);
    expect(built.code).toBe(0);
    const step = /#(\d+) \[2\/2\] RUN/.exec(built.stderr)?.[1];
    expect(step).toBeDefined();
    const steps = await cli(['logs', 'latest']);
    expect(steps.stdout).toMatch(new RegExp(`^${step} +done .*\\[2/2\\] RUN`, 'm'));
    const log = await cli(['logs', 'latest', step!]);
    expect(log.stdout).toBe('line 1 of the step\nline 2 of the step\nline 3 of the step\n');
    const list = await cli(['logs', '--format', 'json']);
    expect(JSON.parse(list.stdout).length).toBeGreaterThanOrEqual(4);
  });

  it('says what went wrong, where, and exits with the documented code', async () => {
    await writeFile(join(context, 'Dockerfile.bad'), 'FROM busybox:local\nRUNN echo hi\n');
    const syntax = await cli(['build', '-f', join(context, 'Dockerfile.bad'), context]);
    expect(syntax.code).toBe(3);
    expect(syntax.stderr).toMatch(/^error: Dockerfile\.bad:2:1: .*RUNN/m);
    expect(syntax.stderr).toContain('2 | RUNN echo hi');
    expect(syntax.stderr).not.toMatch(/\n\s+at /);

    await writeFile(join(context, 'Dockerfile.fail'), 'FROM busybox:local\nRUN exit 3\n');
    const failed = await cli(['build', '--progress=plain', '-f', join(context, 'Dockerfile.fail'), context]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/ERROR/);

    const usage = await cli(['build', '--platform', 'linux/made-up', context]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--platform=linux\/made-up: tsbuild builds only for this host's platform/);

    const missing = await runCli(['build', join(dir, 'nowhere')], { root: join(dir, 'never-created') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/build context .*nowhere does not exist/);
    await expect(stat(join(dir, 'never-created'))).rejects.toThrow(/ENOENT/);

    const debug = await cli(['build', '--debug', join(dir, 'nowhere')]);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('checks the Dockerfile without building with --check', async () => {
    await writeFile(join(context, 'Dockerfile.lint'), 'from busybox:local\nCMD echo hi\n');
    const checked = await cli(['build', '--check', '-f', join(context, 'Dockerfile.lint'), context]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(/\[ConsistentInstructionCasing\]|\[JSONArgsRecommended\]/);
    const clean = await cli(['build', '--check', context]);
    expect(clean.code).toBe(0);
  });
});
