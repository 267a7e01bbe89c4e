/**
 * Runs the real CLI (`bin/tsbuild.js` on the compiled dist/) as a user would,
 * against a private store, and helpers to check that nothing leaked.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

export const REPO = resolve(import.meta.dirname, '../..');
const BIN = resolve(REPO, 'bin/tsbuild.js');

export const isRoot = process.getuid?.() === 0;
export const hasRunc = ['/usr/sbin/runc', '/usr/bin/runc'].some((p) => existsSync(p));
export const E2E_SKIP = !isRoot || !hasRunc || !existsSync('/bin/busybox');
export const E2E_REASON = 'needs root, runc and busybox-static (apt-get install runc busybox-static)';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function tsbuild(
  args: readonly string[],
  options: { root: string; cwd?: string; env?: NodeJS.ProcessEnv; input?: string },
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, '--root', options.root, ...args], {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, CI: 'true', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Mount points at or below `dir` in this mount namespace. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
}

/** Containers runc knows under the store's runtime state dir. */
export async function runcContainers(root: string): Promise<string[]> {
  const stateDir = resolve(root, 'run/runc');
  if (!existsSync(stateDir)) return [];
  const { stdout } = await promisify(execFile)('runc', ['--root', stateDir, 'list', '-q']);
  return stdout.split('\n').filter(Boolean);
}
