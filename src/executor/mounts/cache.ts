/**
 * RUN --mount=type=cache: persistent dirs under `<root>/cache/mounts/<key>/<n>`, never part of a
 * layer. `shared` uses instance 0 alongside other shared users, `locked` waits for it alone,
 * `private` takes any instance nobody holds (creating one if all are busy).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { TsbuildError } from '../../errors.ts';
import { currentOwner } from '../owner.ts';
import { cacheMountsDir } from '../paths.ts';
import { runInPrivateNamespace, shellQuote } from '../private-ns.ts';
import type { CacheMountRequest } from '../types.ts';
import { exposeSource, type MountBuilder } from './builder.ts';
import { type Hold, hold, holdersDir, tryHold } from './holders.ts';

/** Prefix of a cache instance still being created. */
export const NEW_PREFIX = '.new-';

function cacheKey(request: CacheMountRequest): string {
  const identity = JSON.stringify([request.id ?? request.target, request.from ?? [], request.source ?? '/']);
  return createHash('sha256').update(identity).digest('hex').slice(0, 32);
}

async function instances(keyDir: string): Promise<number[]> {
  const names = await readdir(keyDir).catch(() => []);
  return names
    .filter((name) => /^[0-9]+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

/** Creates instance `n` if missing, fully prepared before it appears (temp dir, then rename). */
async function ensureInstance(builder: MountBuilder, request: CacheMountRequest, keyDir: string, n: number) {
  const dir = join(keyDir, String(n));
  if ((await instances(keyDir)).includes(n)) return dir;
  const owner = currentOwner();
  // Named after its owner so sweep can tell a crashed seeding from one in progress.
  const temp = join(keyDir, `${NEW_PREFIX}${owner.pid}-${owner.startTime}-${randomBytes(4).toString('hex')}`);
  await mkdir(temp);
  try {
    if (request.from !== undefined) {
      const what = `cache mount on ${request.target}`;
      const source = await exposeSource(builder, request.from, request.source, false, what);
      const seeded = await runInPrivateNamespace(
        [...source.setup, `cp -a ${shellQuote(`${source.hostPath}/.`)} ${shellQuote(temp)}`].join('\n'),
      );
      if (seeded.code !== 0) {
        throw new TsbuildError(
          'EXECUTOR',
          `${what}: could not copy its from= source: ${seeded.stderr.trim()}`,
        );
      }
    }
    await chmod(temp, request.mode ?? 0o755);
    await chown(temp, request.uid ?? 0, request.gid ?? 0);
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Another process created the same instance first: use theirs.
    if ((await instances(keyDir)).includes(n)) return dir;
    throw error;
  }
  return dir;
}

async function acquire(
  builder: MountBuilder,
  request: CacheMountRequest,
  keyDir: string,
): Promise<{ dir: string; hold: Hold }> {
  const what = `cache mount ${request.id ?? request.target}`;
  const sharing = request.sharing ?? 'shared';
  if (sharing !== 'private') {
    const dir = await ensureInstance(builder, request, keyDir, 0);
    return {
      dir,
      hold: await hold(dir, sharing === 'locked' ? 'exclusive' : 'shared', builder.signal, what),
    };
  }
  for (let n = 0; ; n += 1) {
    const dir = await ensureInstance(builder, request, keyDir, n);
    const granted = await tryHold(dir, 'exclusive');
    if (granted !== undefined) return { dir, hold: granted };
  }
}

export async function addCacheMount(builder: MountBuilder, request: CacheMountRequest): Promise<void> {
  const keyDir = join(cacheMountsDir(builder.root), cacheKey(request));
  await mkdir(keyDir, { recursive: true });
  await writeFileAtomic(join(keyDir, 'id'), `${request.id ?? request.target}\n`);
  const { dir, hold: held } = await acquire(builder, request, keyDir);
  builder.onRelease(() => held.release());
  builder.addMount({
    destination: request.target,
    type: 'bind',
    source: dir,
    options: ['rbind', 'rprivate', request.readonly === true ? 'ro' : 'rw'],
  });
}

/** Removes every cache mount dir nobody is using (`tsbuild prune`); returns how many were removed. */
export async function pruneCacheMounts(options: { readonly root: string }): Promise<number> {
  const base = cacheMountsDir(options.root);
  let removed = 0;
  for (const key of await readdir(base).catch(() => [])) {
    const keyDir = join(base, key);
    for (const n of await instances(keyDir)) {
      const dir = join(keyDir, String(n));
      const held = await tryHold(dir, 'exclusive');
      if (held === undefined) continue;
      await rm(dir, { recursive: true, force: true });
      await held.release();
      await rm(holdersDir(dir), { recursive: true, force: true });
      removed += 1;
    }
    if ((await instances(keyDir)).length === 0) await rm(keyDir, { recursive: true, force: true });
  }
  return removed;
}
