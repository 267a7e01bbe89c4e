/**
 * Starts a real distribution registry (Debian's `docker-registry`) on 127.0.0.1 for tests:
 * its own temp dir for config and storage, a free port, optional htpasswd Basic auth.
 * `stop()` kills it by PID and removes the temp dir.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';
export const hasRegistryBinary = existsSync(REGISTRY_BINARY);

export interface StartRegistryOptions {
  readonly auth?: 'htpasswd';
}

export interface TestRegistry {
  /** `127.0.0.1:PORT`, usable as the registry part of an image reference. */
  readonly host: string;
  readonly username?: string;
  readonly password?: string;
  /** Storage root on disk, for tests that tamper with stored blobs. */
  readonly storageDir: string;
  stop(): Promise<void>;
}

const WATCHDOG =
  '"$0" serve "$1" </dev/null & pid=$!; trap \'kill $pid\' TERM; read -r _; kill $pid; wait $pid';

/** Closes the watchdog's stdin and waits until it (and so the registry) has exited. */
async function endWatchdog(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill('SIGTERM'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function configYaml(port: number, storageDir: string, htpasswdPath: string | undefined): string {
  const auth = htpasswdPath
    ? ['auth:', '  htpasswd:', '    realm: tsbuild-test', `    path: ${htpasswdPath}`]
    : [];
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...auth,
    '',
  ].join('\n');
}

async function waitReady(host: string, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) {
      throw new Error(`docker-registry exited with ${child.exitCode} before listening: ${stderr()}`);
    }
    try {
      const res = await fetch(`http://${host}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry on ${host} did not become ready: ${stderr()}`);
}

export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-registry-'));
  const storageDir = join(dir, 'storage');
  let username: string | undefined;
  let password: string | undefined;
  let htpasswdPath: string | undefined;
  if (options.auth === 'htpasswd') {
    username = 'tsbuild';
    password = randomBytes(12).toString('hex');
    htpasswdPath = join(dir, 'htpasswd');
    await writeFile(htpasswdPath, `${username}:${bcrypt.hashSync(password, 8)}\n`);
  }
  // A port freed just now can be taken by someone else before the registry binds it: retry a few.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const configPath = join(dir, 'config.yml');
    await writeFile(configPath, configYaml(port, storageDir, htpasswdPath));
    // A shell watchdog owns the registry: it kills it when our end of its stdin closes, which
    // happens on stop() and also when this process dies without calling stop().
    const child = spawn('/bin/sh', ['-c', WATCHDOG, REGISTRY_BINARY, configPath], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let errText = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errText = (errText + chunk.toString()).slice(-4000);
    });
    const stop = async (): Promise<void> => {
      await endWatchdog(child);
      await rm(dir, { recursive: true, force: true });
    };
    try {
      await waitReady(host, child, () => errText);
      return { host, username, password, storageDir, stop };
    } catch (err) {
      await endWatchdog(child);
      if (attempt >= 3 || !/address already in use/.test(errText)) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}
