/**
 * Where the daemon listens: a UNIX socket only root (and `--group`) may
 * open, and optionally loopback TCP guarded by a bearer token.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, chown, mkdir, unlink } from 'node:fs/promises';
import type { IncomingMessage, Server } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { TsbuildError } from '../errors.ts';

/** A group name or number to its gid, from /etc/group. */
export function groupId(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  const line = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === group);
  if (line === undefined)
    throw new TsbuildError('USAGE', `no group named ${group} in /etc/group`, {
      hint: 'create it (groupadd) or give a numeric gid',
    });
  return Number(line.split(':')[2]);
}

async function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** Listens on `path` with mode 0660, owned by root and `gid` when given. */
export async function listenUnix(server: Server, path: string, gid: number | undefined): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  if (await socketInUse(path))
    throw new TsbuildError('USAGE', `a daemon already listens on ${path}`, {
      hint: 'stop it first, or give another --socket',
    });
  await unlink(path).catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(path, 0o660);
  if (gid !== undefined) await chown(path, process.getuid?.() ?? 0, gid);
}

export async function listenTcp(server: Server, host: string, port: number): Promise<number> {
  if (!['127.0.0.1', '::1', 'localhost'].includes(host))
    throw new TsbuildError('USAGE', `--tcp ${host}:${port}: only loopback addresses are allowed`, {
      hint: 'use 127.0.0.1:PORT; reach it from elsewhere through an SSH tunnel',
    });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}

/** Whether a TCP request carries the token (compared in constant time). */
export function hasToken(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
