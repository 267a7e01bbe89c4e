import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/**
 * Write JSON so readers see the old file or the new one, never a part: write-file-atomic writes a
 * temp file beside the target, fsyncs and renames it; the directory is fsynced after so the rename
 * itself survives a power cut. Crash leftovers are `<name>.<hash>` files that readers ignore.
 */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
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
