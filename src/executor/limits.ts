/**
 * The open-file limit a RUN gets: Docker's 1048576, but never above this process's own hard limit,
 * because the runtime applies rlimits after dropping CAP_SYS_RESOURCE and could not raise it.
 */
import { readFile } from 'node:fs/promises';
import { NOFILE_LIMIT } from './spec/defaults.ts';

export async function nofileLimit(): Promise<number> {
  try {
    const limits = await readFile('/proc/self/limits', 'utf8');
    const line = limits.split('\n').find((entry) => entry.startsWith('Max open files'));
    const hard = line?.split(/\s{2,}/)[2];
    if (hard === undefined || hard === 'unlimited') return NOFILE_LIMIT;
    const value = Number(hard);
    return Number.isInteger(value) && value > 0 ? Math.min(value, NOFILE_LIMIT) : NOFILE_LIMIT;
  } catch {
    return NOFILE_LIMIT;
  }
}
