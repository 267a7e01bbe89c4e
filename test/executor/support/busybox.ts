/**
 * A throwaway store with a busybox base snapshot for executor tests: the host's busybox-static
 * binary, its applets as symlinks, /etc/passwd and /etc/group with a few test users, and /tmp.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSnapshotter } from '../../../src/executor/index.ts';
import type { Snapshotter } from '../../../src/executor/snapshot/types.ts';

export const BUSYBOX = '/bin/busybox';

export const isRoot = process.getuid?.() === 0;
export const hasBusybox = existsSync(BUSYBOX);
export const hasRunc = ['/usr/sbin/runc', '/usr/bin/runc'].some((path) => existsSync(path));
/** Real containers need root, runc and a static busybox to populate the rootfs. */
export const canRunContainers = isRoot && hasBusybox && hasRunc;
export const CONTAINER_SKIP_REASON =
  'needs root, runc and busybox-static (apt-get install runc busybox-static)';

export const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'app:x:1000:1000:app:/home/app:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
  '',
].join('\n');

export const GROUP = [
  'root:x:0:',
  'staff:x:50:app',
  'app:x:1000:',
  'extra:x:2000:app',
  'nogroup:x:65534:',
  '',
].join('\n');

export async function populateBusybox(dir: string): Promise<void> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await copyFile(BUSYBOX, join(dir, 'bin', 'busybox'));
  await chmod(join(dir, 'bin', 'busybox'), 0o755);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .filter((name) => name !== '' && name !== 'busybox');
  await Promise.all(applets.map((name) => symlink('busybox', join(dir, 'bin', name))));
  await mkdir(join(dir, 'etc'));
  await writeFile(join(dir, 'etc', 'passwd'), PASSWD);
  await writeFile(join(dir, 'etc', 'group'), GROUP);
  await mkdir(join(dir, 'tmp'));
  await chmod(join(dir, 'tmp'), 0o1777);
  await mkdir(join(dir, 'root'), { mode: 0o700 });
  await mkdir(join(dir, 'home', 'app'), { recursive: true });
  execFileSync('chown', ['1000:1000', join(dir, 'home', 'app')]);
}

export interface TestStore {
  readonly root: string;
  readonly snapshotter: Snapshotter;
  /** Committed busybox base snapshot. */
  readonly baseId: string;
  cleanup(): Promise<void>;
}

export async function createTestStore(kind: 'overlay' | 'copy' = 'overlay'): Promise<TestStore> {
  const root = await mkdtemp(join(tmpdir(), 'tsbuild-exec-'));
  const snapshotter = createSnapshotter({ root, kind });
  const base = await snapshotter.prepare(undefined);
  await populateBusybox(base.upperDir);
  const baseId = await base.commit({ chainId: 'sha256:busybox-test' });
  return {
    root,
    snapshotter,
    baseId,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
