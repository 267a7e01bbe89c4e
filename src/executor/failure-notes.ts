/**
 * Why a RUN failed when the command cannot say so itself: a command that hits a full disk prints
 * its own words for it (often just "I/O error"), and one the out-of-memory killer stops prints
 * nothing at all. Asked once the command has failed.
 */
import { statfs } from 'node:fs/promises';
import type { ResourceLimits } from './spec/generate.ts';

/** Below this much free space (or 1 % of the filesystem, if more) a failure is blamed on the disk. */
const NEARLY_FULL_BYTES = 16 * 1024 * 1024;
/** 128 + SIGKILL: how a shell reports a process the kernel killed. */
const KILLED = 137;

export interface FailureNote {
  /** Appended to the error message. */
  readonly note: string;
  readonly hint: string;
}

async function diskFull(path: string): Promise<FailureNote | undefined> {
  let stats: Awaited<ReturnType<typeof statfs>>;
  try {
    stats = await statfs(path);
  } catch {
    return undefined;
  }
  const free = stats.bavail * stats.bsize;
  const total = stats.blocks * stats.bsize;
  if (free >= Math.max(NEARLY_FULL_BYTES, total / 100)) return undefined;
  return {
    note: `no space left on device: the store's filesystem has ${free} of ${total} bytes free`,
    hint: 'the disk that holds the store is full: free space with `tsbuild prune` (--all, or --keep-storage SIZE), or use a store on a larger disk (--root)',
  };
}

function memoryKill(exitCode: number, limits: ResourceLimits | undefined): FailureNote | undefined {
  if (exitCode !== KILLED || limits?.memoryBytes === undefined) return undefined;
  const mib = Math.round(limits.memoryBytes / (1024 * 1024));
  return {
    note: `killed (SIGKILL), most likely by the out-of-memory killer at the --memory limit of ${mib} MiB`,
    hint: 'raise --memory, or make the step use less memory',
  };
}

/** A note for a RUN that exited with `exitCode` over the upper dir `upperDir`, when one applies. */
export async function explainFailure(
  exitCode: number,
  upperDir: string,
  limits: ResourceLimits | undefined,
): Promise<FailureNote | undefined> {
  return memoryKill(exitCode, limits) ?? (await diskFull(upperDir));
}
