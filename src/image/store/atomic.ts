import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import path from 'node:path';

/**
 * Crash-safe file writes: data goes to a temp file on the same filesystem, is fsync'd, then renamed
 * over the destination, so readers see the old or the new file and never half of one. Temp names
 * carry the writer's pid so a later process can tell a crashed writer's leftovers from live work.
 */
export function tempPath(dir: string, hint = 'tmp'): string {
  return path.join(dir, `${process.pid}-${randomBytes(6).toString('hex')}-${hint}`);
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeFileAtomic(
  tmpDir: string,
  dest: string,
  data: Uint8Array | string,
): Promise<void> {
  const tmp = tempPath(tmpDir, path.basename(dest));
  const handle = await fsp.open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.rename(tmp, dest);
  } catch (error) {
    await fsp.rm(tmp, { force: true });
    throw error;
  }
  await fsyncDir(path.dirname(dest));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Leftovers older than this are removed even if their pid is alive again (pid reuse). */
const STALE_MS = 24 * 3600 * 1000;

/** Removes temp files whose writer is gone; returns how many were removed. */
export async function sweepTempDir(dir: string, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names) {
    const pid = Number(name.split('-', 1)[0]);
    const full = path.join(dir, name);
    const stat = await fsp.lstat(full).catch(() => undefined);
    if (!stat) continue;
    const stale = !Number.isInteger(pid) || pid <= 0 || !processAlive(pid) || now - stat.mtimeMs > STALE_MS;
    if (stale && pid !== process.pid) {
      await fsp.rm(full, { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}
