/**
 * tsbuild two ways: the CLI building in-process on its own store, and the CLI as a client of
 * `tsbuild serve` (the daemon keeps stat caches warm between builds). Both use the compiled copy
 * from tsbuild-install.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { q, run } from '../shell.ts';
import type { TsbuildInstall } from '../tsbuild-install.ts';
import type { BuildRequest, Engine, EngineContext, EngineFactory, ExportCompression } from './types.ts';

const RUNTIMES = ['/usr/sbin/runc', '/usr/bin/runc'];

function unavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return Promise.resolve('needs root (runc, overlay mounts)');
  if (!RUNTIMES.some((p) => existsSync(p))) return Promise.resolve('needs runc (apt-get install runc)');
  return Promise.resolve(undefined);
}

function buildArgs(request: BuildRequest): string {
  return `build --network none -q -t ${q(request.tag)} --build-arg BASE=${q(request.base)} ${q(request.context)}`;
}

function saveCommand(
  install: TsbuildInstall,
  root: string,
  tag: string,
  dest: string,
  compression: ExportCompression,
) {
  if (!install.commands.has('save')) return { unsupported: 'this tsbuild has no `save` command yet' };
  const level = compression === 'none' ? '' : ' --compression-level 1';
  return {
    command: `${q(install.node)} ${q(install.bin)} --root ${q(root)} save --compression ${compression}${level} -o ${q(dest)} ${q(tag)}`,
  };
}

/**
 * An empty store holding only the base image, unpacked as `docker pull` and `buildah pull` leave
 * theirs: a container run flattens the image into its snapshot, which builds then reuse.
 */
async function freshStore(install: TsbuildInstall, root: string, base: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
  await run(install.node, [install.bin, '--root', root, 'pull', '-q', base]);
  await run(install.node, [install.bin, '--root', root, 'run', '--rm', '--network', 'none', base, 'true']);
}

export function tsbuildFactory(install: TsbuildInstall): EngineFactory {
  return {
    id: 'tsbuild',
    unavailable,
    async start(ctx: EngineContext): Promise<Engine> {
      const root = join(ctx.work, 'engines/tsbuild');
      const cli = `${q(install.node)} ${q(install.bin)} --root ${q(root)}`;
      await freshStore(install, root, ctx.base);
      return {
        id: 'tsbuild',
        label: 'tsbuild',
        version: install.version,
        build: (request) => `${cli} ${buildArgs(request)}`,
        exportImage: (tag, dest, compression) => saveCommand(install, root, tag, dest, compression),
        reset: () => freshStore(install, root, ctx.base),
        daemons: () => [],
        stop: () => rm(root, { recursive: true, force: true }),
      };
    },
  };
}

async function startDaemon(install: TsbuildInstall, root: string, socket: string): Promise<ChildProcess> {
  await rm(socket, { force: true });
  const child = spawn(install.node, [install.bin, '--root', root, 'serve', '--socket', socket], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tsbuild serve did not start in 30 s:\n${log}`)), 30_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
      if (log.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tsbuild serve exited with ${code}:\n${log}`));
    });
  });
  child.stderr?.removeAllListeners('data');
  child.stderr?.resume();
  child.removeAllListeners('exit');
  return child;
}

async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

export function tsbuildServeFactory(install: TsbuildInstall): EngineFactory {
  return {
    id: 'tsbuild-serve',
    async unavailable() {
      if (!install.commands.has('serve')) return 'this tsbuild has no `serve` command yet';
      return unavailable();
    },
    async start(ctx: EngineContext): Promise<Engine> {
      const root = join(ctx.work, 'engines/tsbuild-serve');
      const socket = join(ctx.work, 'tsbuild-serve.sock');
      const client = `${q(install.node)} ${q(install.bin)} --host ${q(`unix://${socket}`)}`;
      await freshStore(install, root, ctx.base);
      let daemon = await startDaemon(install, root, socket);
      return {
        id: 'tsbuild-serve',
        label: 'tsbuild serve',
        version: install.version,
        build: (request) => `${client} ${buildArgs(request)}`,
        exportImage: (tag, dest, compression) => saveCommand(install, root, tag, dest, compression),
        async reset() {
          // A cold build through the daemon starts from a fresh store and a fresh process, so no
          // in-memory stat cache survives either.
          await stopDaemon(daemon);
          await freshStore(install, root, ctx.base);
          daemon = await startDaemon(install, root, socket);
        },
        daemons: () => (daemon.pid === undefined ? [] : [daemon.pid]),
        async stop() {
          await stopDaemon(daemon);
          await rm(root, { recursive: true, force: true });
          await rm(socket, { force: true });
        },
      };
    },
  };
}
