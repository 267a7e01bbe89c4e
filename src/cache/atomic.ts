import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/**
 * Write JSON so readers see the old file or the new one, never a part: the bytes go to a temp
 * file that is fsynced and renamed over the target; the directory is fsynced after so the rename
 * itself survives a power cut. With `tmpDir` (on the same filesystem) the temp file is
 * `<tmpDir>/<pid>-<random>`, so what a killed writer left is found in one place and recognised as
 * a dead process's ({@link sweepTempDir}); without it, write-file-atomic's `<name>.<hash>` beside
 * the target.
 */
export async function writeJsonAtomic(file: string, value: unknown, tmpDir?: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  if (tmpDir === undefined) await writeFileAtomic(file, JSON.stringify(value), { fsync: true });
  else {
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${process.pid}-${randomBytes(6).toString('hex')}`);
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(JSON.stringify(value));
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw error;
    } finally {
      await handle.close().catch(() => undefined);
    }
    await rename(tmp, file).catch(async (error: unknown) => {
      await rm(tmp, { force: true });
      throw error;
    });
  }
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes temp files of writers that are gone (`<pid>-…` names whose process no longer exists). */
export async function sweepTempDir(tmpDir: string, alive: (pid: number) => boolean): Promise<void> {
  for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
    const pid = Number(name.split('-', 1)[0]);
    if (!Number.isInteger(pid) || !alive(pid)) await rm(path.join(tmpDir, name), { force: true });
  }
}
