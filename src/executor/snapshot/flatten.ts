/**
 * Chains too long for one overlay mount (the kernel takes one page of options and at most 500
 * layers) are shortened: the top layers stay, the rest is replaced by a flattened snapshot, the
 * merged view of those layers copied once into a plain dir and reused by every later mount.
 */
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TsbuildError } from '../../errors.ts';
import { runInPrivateNamespace, shellQuote } from '../private-ns.ts';
import { createSnapshotDir } from './allocate.ts';
import { ID_PATTERN, readMeta, snapshotDir, snapshotsDir, writeMeta } from './meta.ts';
import { fitsOneMount, MAX_OVERLAY_LAYERS, type OverlayLayout, overlayOptions } from './overlay-options.ts';

/** Label on a flattened snapshot: the id of the top layer whose merged chain it holds. */
export const FLATTENED_FROM = 'tsbuild.flattened-from';

function snapshotIdOf(fsDir: string): string {
  const id = basename(dirname(fsDir));
  if (basename(fsDir) !== 'fs' || !ID_PATTERN.test(id)) {
    throw new TsbuildError('SNAPSHOT', `Cannot flatten ${fsDir}: it is not a snapshot of this store`);
  }
  return id;
}

export async function flattenedCopies(root: string, id: string): Promise<string[]> {
  const names = await readdir(snapshotsDir(root)).catch(() => []);
  const found: string[] = [];
  for (const name of names.filter((entry) => ID_PATTERN.test(entry))) {
    const meta = await readMeta(root, name);
    if (meta?.state === 'committed' && meta.labels[FLATTENED_FROM] === id) found.push(name);
  }
  return found;
}

/** How many top layers can stay when the rest becomes one flattened layer, so that the whole fits. */
function layersToKeep(
  baseDir: string,
  chain: readonly string[],
  extra: Omit<OverlayLayout, 'lowerDirs'>,
  maxLayers: number,
): number {
  let keep = Math.min(chain.length - 1, maxLayers - 1);
  // The flattened layer's path is about as long as any other snapshot path: stand in with the next one.
  while (keep > 0 && !fitsOneMount(baseDir, { ...extra, lowerDirs: chain.slice(0, keep + 1) }, maxLayers)) {
    keep -= 1;
  }
  return keep;
}

async function flatten(root: string, chain: readonly string[], maxLayers: number): Promise<string> {
  if (chain.length === 1) return chain[0]!;
  const topId = snapshotIdOf(chain[0]!);
  const existing = (await flattenedCopies(root, topId))[0];
  if (existing !== undefined) return join(snapshotDir(root, existing), 'fs');

  const baseDir = snapshotsDir(root);
  let sources = chain;
  if (!fitsOneMount(baseDir, { lowerDirs: chain }, maxLayers)) {
    const keep = layersToKeep(baseDir, chain, {}, maxLayers);
    sources = [...chain.slice(0, keep), await flatten(root, chain.slice(keep), maxLayers)];
  }
  const meta = await createSnapshotDir(root, { parent: undefined, labels: { [FLATTENED_FROM]: topId } }, [
    { name: 'fs', mode: 0o755 },
    { name: 'merged', mode: 0o755 },
  ]);
  const { id } = meta;
  const dir = snapshotDir(root, id);
  const fsDir = join(dir, 'fs');
  const merged = join(dir, 'merged');
  const result = await runInPrivateNamespace(
    [
      `cd ${shellQuote(baseDir)}`,
      `mount -t overlay overlay -o ${shellQuote(overlayOptions(baseDir, { lowerDirs: sources }))} ${shellQuote(merged)}`,
      `cp -a ${shellQuote(`${merged}/.`)} ${shellQuote(fsDir)}`,
    ].join('\n'),
  );
  await rm(merged, { recursive: true, force: true });
  if (result.code !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new TsbuildError(
      'SNAPSHOT',
      `Could not flatten the layers below snapshot ${topId}: ${result.stderr.trim()}`,
    );
  }
  await writeMeta(root, { ...meta, state: 'committed', owner: undefined });
  return fsDir;
}

/**
 * The lower dirs to mount for `chain` (top first) together with `extra` (upper and work dirs):
 * `chain` itself when it fits, else its top layers plus one flattened layer for the rest.
 */
export async function mountableChain(
  root: string,
  chain: readonly string[],
  extra: Omit<OverlayLayout, 'lowerDirs'>,
  maxLayers = MAX_OVERLAY_LAYERS,
): Promise<readonly string[]> {
  const baseDir = snapshotsDir(root);
  if (chain.length <= 1 || fitsOneMount(baseDir, { ...extra, lowerDirs: chain }, maxLayers)) return chain;
  const keep = layersToKeep(baseDir, chain, extra, maxLayers);
  return [...chain.slice(0, keep), await flatten(root, chain.slice(keep), maxLayers)];
}
