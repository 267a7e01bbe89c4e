/**
 * Copy snapshots: builds a plain directory holding the merged view of a layer stack, applying
 * each layer bottom-up as overlayfs would show it (whiteouts delete, opaque dirs replace, an
 * entry of another type replaces the one below). File data is copied by `cp -a`.
 */
import { execFile } from 'node:child_process';
import { lstat, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { removeAttribute } from '@napi-rs/xattr';
import { TsbuildError } from '../../errors.ts';
import { isOpaqueDir, isWhiteoutEntry, OPAQUE_XATTR } from './whiteout.ts';

const execFileAsync = promisify(execFile);

interface LayerMarks {
  readonly whiteouts: string[];
  readonly opaque: string[];
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch {
    return undefined;
  }
}

/** Walks one layer, clearing what it replaces in `target`; returns its whiteouts and opaque dirs. */
async function prepareTarget(layer: string, target: string, rel: string, marks: LayerMarks): Promise<void> {
  for (const name of await readdir(join(layer, rel))) {
    const path = join(rel, name);
    const stats = await lstat(join(layer, path));
    const existing = await lstatOrUndefined(join(target, path));
    if (await isWhiteoutEntry(join(layer, path), stats)) {
      marks.whiteouts.push(path);
      if (existing !== undefined) await rm(join(target, path), { recursive: true, force: true });
      continue;
    }
    if (stats.isDirectory()) {
      const opaque = await isOpaqueDir(join(layer, path));
      if (opaque) marks.opaque.push(path);
      if (existing !== undefined && (opaque || !existing.isDirectory())) {
        await rm(join(target, path), { recursive: true, force: true });
      }
      await prepareTarget(layer, target, path, marks);
    } else if (existing?.isDirectory()) {
      await rm(join(target, path), { recursive: true, force: true });
    }
  }
}

async function applyLayer(layer: string, target: string): Promise<void> {
  const marks: LayerMarks = { whiteouts: [], opaque: [] };
  await prepareTarget(layer, target, '', marks);
  try {
    await execFileAsync('cp', ['-a', '--remove-destination', `${layer}/.`, `${target}/`]);
  } catch (error) {
    throw new TsbuildError(
      'SNAPSHOT',
      `Could not copy layer ${layer} into ${target}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  // cp brought the markers along; in a plain directory they mean nothing.
  await Promise.all(marks.whiteouts.map((path) => rm(join(target, path), { force: true })));
  const marked = new Set([...marks.opaque, ...marks.whiteouts.map((path) => dirname(path))]);
  await Promise.all(
    [...marked].map((path) => removeAttribute(join(target, path), OPAQUE_XATTR).catch(() => {})),
  );
}

/** Fills `target` (an empty dir) with the merged view of `layers` (top first). */
export async function materialiseLayers(layers: readonly string[], target: string): Promise<void> {
  for (const layer of [...layers].reverse()) await applyLayer(layer, target);
}
