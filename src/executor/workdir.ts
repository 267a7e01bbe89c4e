/**
 * WORKDIR as Docker does it: a missing working directory is created before the step runs, owned by
 * the step's user. The path is resolved inside the rootfs first, so the setup script only ever
 * creates plain new directories under an already-resolved parent (no symlink can lead it out).
 */
import { posix } from 'node:path';
import { TsbuildError } from '../errors.ts';
import { shellQuote } from './private-ns.ts';
import { lookupInLayers } from './snapshot/lookup.ts';

export interface WorkdirPlan {
  readonly setup: readonly string[];
  /** Rootfs paths the setup creates (the step keeps them). */
  readonly created: readonly string[];
}

export async function planWorkdir(
  layers: readonly string[],
  cwd: string,
  rootfsPath: string,
  owner: { readonly uid: number; readonly gid: number },
): Promise<WorkdirPlan> {
  const found = await lookupInLayers(layers, cwd);
  if (found.kind === 'found') {
    if (found.type !== 'directory') {
      throw new TsbuildError(
        'EXECUTOR',
        `Working directory ${cwd} exists in the image but is not a directory`,
        {
          hint: 'Change WORKDIR to a directory path.',
        },
      );
    }
    return { setup: [], created: [] };
  }
  if (!found.creatable) {
    throw new TsbuildError(
      'EXECUTOR',
      `Cannot create working directory ${cwd}: a parent is not a directory`,
      {
        hint: 'Change WORKDIR to a path whose parents are directories.',
      },
    );
  }
  const created: string[] = [];
  for (let dir = found.path; dir !== found.existingParent && dir !== '/'; dir = posix.dirname(dir)) {
    created.unshift(dir);
  }
  const setup = created.flatMap((dir) => {
    const host = shellQuote(posix.join(rootfsPath, dir));
    // -p: copy snapshots may already hold it as the parent of a mount point.
    return [`mkdir -p -m 0755 ${host}`, `chown ${owner.uid}:${owner.gid} ${host}`];
  });
  return { setup, created };
}
