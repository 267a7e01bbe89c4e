import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { writeFileAtomic as writeViaTempDir } from '../image/index.ts';

/**
 * Write JSON so readers see the old file or the new one, never a part: the bytes go to a temp
 * file that is fsynced and renamed over the target, and the directory is fsynced after so the
 * rename itself survives a power cut. With `tmpDir` (on the same filesystem) the temp file is
 * `<tmpDir>/<pid>-…` as the image store writes them, so what a killed writer left is found in one
 * place and recognised as a dead process's (`sweepTempDir`); without it, write-file-atomic's
 * `<name>.<hash>` beside the target.
 */
export async function writeJsonAtomic(file: string, value: unknown, tmpDir?: string): Promise<void> {
  if (tmpDir !== undefined) {
    await mkdir(tmpDir, { recursive: true });
    return writeViaTempDir(tmpDir, file, JSON.stringify(value));
  }
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(file, JSON.stringify(value), { fsync: true });
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
