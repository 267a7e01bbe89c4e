/**
 * Telling a RUN that failed for lack of disk from one that failed on its own: a command that hits
 * a full disk prints its own words for it (often just "I/O error"), so the store's filesystem is
 * asked how much room is left once the command has failed.
 */
import { statfs } from 'node:fs/promises';

/** Below this much free space (or 1 % of the filesystem, if more) a failure is blamed on the disk. */
const NEARLY_FULL_BYTES = 16 * 1024 * 1024;

/** A sentence for the error when the filesystem holding `path` is (nearly) full, else undefined. */
export async function diskFullNote(path: string): Promise<string | undefined> {
  let stats: Awaited<ReturnType<typeof statfs>>;
  try {
    stats = await statfs(path);
  } catch {
    return undefined;
  }
  const free = stats.bavail * stats.bsize;
  const total = stats.blocks * stats.bsize;
  if (free >= Math.max(NEARLY_FULL_BYTES, total / 100)) return undefined;
  return `no space left on device: the store's filesystem has ${free} of ${total} bytes free`;
}

export const DISK_FULL_HINT =
  'the disk that holds the store is full: free space with `tsbuild prune` (--all, or --keep-storage SIZE), or use a store on a larger disk (--root)';
