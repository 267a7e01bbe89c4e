/**
 * What a store must not keep once a tsbuild process has started and finished on it: mounts,
 * containers, temp files (ingest/, tmp/, run/), half-made snapshots, held locks, leases.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { mountsUnder, runcContainers } from '../../support/cli.ts';

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}

/** One line per leak, empty when the store is clean. */
export async function findLeaks(root: string): Promise<string[]> {
  const leaks: string[] = [];
  for (const mount of await mountsUnder(root)) leaks.push(`mount ${mount}`);
  for (const id of await runcContainers(root)) leaks.push(`container ${id}`);
  for (const dir of ['ingest', 'tmp', 'locks', path.join('cache', 'leases')]) {
    for (const name of await names(path.join(root, dir))) leaks.push(`${dir}/${name}`);
  }
  for (const name of await names(path.join(root, 'run'))) {
    if (name !== 'runc') leaks.push(`run/${name}`);
  }
  for (const name of await names(path.join(root, 'run', 'runc'))) leaks.push(`run/runc/${name}`);
  for (const name of await names(path.join(root, 'snapshots'))) {
    if (name.startsWith('.')) leaks.push(`snapshots/${name}`);
  }
  return leaks;
}
