/**
 * The bundled CLI (scripts/bundle.ts): which chunks each command loads at start, and that the
 * bundle runs. Bundles into a temp directory laid out like the package (bin/, dist/bundle/,
 * package.json, node_modules linked to the project's), so the shared dist/ is left alone.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type BundleReport, bundleCli } from '../../scripts/bundle.ts';
import { E2E_REASON, E2E_SKIP } from '../support/cli.ts';

const REPO = resolve(import.meta.dirname, '../..');
const VERSION = '9.8.7-bundle-test';

/** Modules of the build engine and the store, which `version`, `--help` and `--host` must not load. */
const ENGINE =
  /\/src\/(parser|plan|solver|executor|ops|registry|image\/store)\/|\/node_modules\/(chevrotain|@napi-rs)\//;
const UI = /\/node_modules\/(ink|react)\//;

let dir = '';
let report: BundleReport;

/** Modules loaded with these chunks: the chunks and everything they import statically. */
function loadedModules(roots: readonly string[]): string[] {
  const byName = new Map(report.chunks.map((c) => [c.fileName, c]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    const chunk = byName.get(name);
    if (chunk === undefined || seen.has(name)) return;
    seen.add(name);
    chunk.imports.forEach(visit);
  };
  roots.forEach(visit);
  return [...seen].flatMap((name) => byName.get(name)!.moduleIds);
}

/** The chunk a command imports lazily, by the source module it stands for. */
function chunkOf(source: string): string {
  const chunk = report.chunks.find((c) => c.facadeModuleId === join(REPO, source));
  if (chunk === undefined) throw new Error(`no chunk for ${source}`);
  return chunk.fileName;
}

const entry = () => report.chunks.find((c) => c.isEntry)!.fileName;

function run(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [join(dir, 'bin/tsbuild.js'), ...args], {
    env: { ...process.env, CI: 'true' },
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsb-bundle-'));
  report = await bundleCli(join(dir, 'dist/bundle'));
  await mkdir(join(dir, 'bin'));
  await copyFile(join(REPO, 'bin/tsbuild.js'), join(dir, 'bin/tsbuild.js'));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'tsbuild', version: VERSION, type: 'module' }),
  );
  // The bundle leaves the native xattr addon to node_modules.
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'));
}, 120_000);

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('CLI bundle: what each command loads', () => {
  it('version and --help load yargs and the command table, neither the engine nor the live view', () => {
    const modules = loadedModules([entry()]);
    expect(modules.some((m) => m.includes('/node_modules/yargs/'))).toBe(true);
    expect(modules.some((m) => m.endsWith('/src/cli/commands/build.ts'))).toBe(true);
    expect(modules.filter((m) => ENGINE.test(m) || UI.test(m))).toEqual([]);
  });

  it('a --host build loads the daemon client and the context walker, not the engine', () => {
    const modules = loadedModules([
      entry(),
      chunkOf('src/cli/build/run.ts'),
      chunkOf('src/cli/build/remote.ts'),
    ]);
    expect(modules).toContain(join(REPO, 'src/daemon/client.ts'));
    expect(modules).toContain(join(REPO, 'src/daemon/context-walk.ts'));
    expect(modules.filter((m) => ENGINE.test(m) || UI.test(m))).toEqual([]);
  });

  it('an in-process build loads the engine (the check above can fail)', () => {
    const modules = loadedModules([
      entry(),
      chunkOf('src/cli/build/run.ts'),
      chunkOf('src/cli/build/engine.ts'),
    ]);
    expect(modules.filter((m) => ENGINE.test(m)).length).toBeGreaterThan(50);
    expect(modules.filter((m) => UI.test(m))).toEqual([]);
  });

  it('imports no built-in through an ESM facade, no native addon, and sets up no text measuring at import', async () => {
    for (const chunk of report.chunks) {
      const code = await readFile(join(report.outDir, chunk.fileName), 'utf8');
      expect(code, chunk.fileName).not.toMatch(/^import .* from "(node:)?[a-z_/]+";$/m);
      expect(code, chunk.fileName).not.toMatch(/^const segmenter = new Intl\.Segmenter\(\);$/m);
      expect(code, chunk.fileName).not.toContain('from "@napi-rs/xattr"');
    }
  });
});

describe('CLI bundle: running it', () => {
  it('prints the version of the package it belongs to, and help', async () => {
    expect((await run(['version'])).stdout).toMatch(new RegExp(`^tsbuild ${VERSION} \\(node v\\d+`));
    const help = (await run(['--help'])).stdout;
    for (const command of ['build', 'images', 'serve', 'version'])
      expect(help).toContain(`tsbuild ${command}`);
  });

  it('falls back to the compiled tree when tsc ran after the bundle was made', async () => {
    const compiled = join(dir, 'dist/cli/main.js');
    await mkdir(join(dir, 'dist/cli'), { recursive: true });
    await writeFile(
      compiled,
      "export async function main() { process.stdout.write('compiled tree\\n'); return 0; }\n",
    );
    try {
      expect((await run(['version'])).stdout).toBe('compiled tree\n');
      const past = new Date(Date.now() - 3_600_000);
      await utimes(compiled, past, past);
      expect((await run(['version'])).stdout).toMatch(/^tsbuild /);
    } finally {
      await rm(join(dir, 'dist/cli'), { recursive: true, force: true });
    }
  });

  describe.skipIf(E2E_SKIP)(`builds and rebuilds from the cache (${E2E_REASON})`, () => {
    let daemon: ChildProcess | undefined;

    afterAll(async () => {
      if (daemon === undefined || daemon.exitCode !== null) return;
      const exited = new Promise((done) => daemon!.once('exit', done));
      process.kill(daemon.pid!, 'SIGTERM');
      await exited;
    });

    it('in-process and through the daemon', async () => {
      const store = join(dir, 'store');
      const context = join(dir, 'my-httpd');
      await mkdir(context);
      for (const name of ['Dockerfile', 'index.html'])
        await copyFile(join(REPO, 'fixtures/my-httpd', name), join(context, name));
      await run(['--root', store, 'import', inject('busyboxRootfs'), 'busybox:local']);
      const build = ['build', '-t', 'my-httpd', '--progress', 'plain', context];
      const first = await run(['--root', store, ...build]);
      const id = /writing image (sha256:\w+)/.exec(first.stderr)?.[1];
      expect(id).toBeDefined();
      const again = await run(['--root', store, ...build]);
      expect(again.stderr).toContain(`writing image ${id}`);
      expect(again.stderr.match(/ CACHED$/gm)).toHaveLength(4);

      const socket = join(dir, 'd.sock');
      daemon = spawn(
        process.execPath,
        [join(dir, 'bin/tsbuild.js'), '--root', store, 'serve', '--socket', socket],
        {
          stdio: 'ignore',
        },
      );
      for (let i = 0; i < 300 && !existsSync(socket); i++) await sleep(50);
      const remote = await run(['--host', `unix://${socket}`, ...build]);
      expect(remote.stderr).toContain(`writing image ${id}`);
    });
  });
});
