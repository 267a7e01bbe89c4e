/**
 * Decides whether overlay snapshots work on this store by mounting a tiny overlay in a private
 * namespace. It fails e.g. when the store itself sits on overlayfs or on a filesystem overlay
 * cannot use as an upper dir; the copy snapshotter is then used and the reason reported.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ownedScratchPath } from '../paths.ts';
import { runInPrivateNamespace, shellQuote } from '../private-ns.ts';
import { overlayOptions } from './overlay-options.ts';
import type { SnapshotterKind } from './types.ts';

export interface KindDecision {
  readonly kind: SnapshotterKind;
  readonly reason: string;
}

export async function probeOverlay(root: string): Promise<KindDecision> {
  const dir = ownedScratchPath(root, 'overlay-probe');
  const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((name) => join(dir, name));
  await Promise.all([lower, upper, work, merged].map((path) => mkdir(path!, { recursive: true })));
  try {
    const options = overlayOptions(dir, { lowerDirs: [lower!], upperDir: upper!, workDir: work! });
    const result = await runInPrivateNamespace(
      `cd ${shellQuote(dir)}\nmount -t overlay overlay -o ${shellQuote(options)} merged\ntouch merged/probe`,
    );
    if (result.code === 0) return { kind: 'overlay', reason: 'overlay mount works on the store' };
    return {
      kind: 'copy',
      reason: `overlay mount failed on the store (${result.stderr.trim() || `exit ${result.code}`}); using copy snapshots`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
