/**
 * What one COPY/ADD reads, as entries to write: from the build context (the checksum's entries),
 * from URLs (ADD), or from a stage or image (selected through its layers). Each entry comes with
 * where to read its bytes and its mtime.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { posix } from 'node:path';
import { type ContentManifest, type ContextChecksum, type ContextEntry, manifestOf } from '../cache/index.ts';
import type { CopyStep } from '../plan/types.ts';
import type { RemoteFile } from './add-url.ts';
import type { ChmodFn } from './chmod.ts';
import { selectFromLayers } from './layered-source.ts';
import type { OpServices } from './services.ts';

export interface SourceEntries {
  readonly entries: readonly ContextEntry[];
  hostPath(entry: ContextEntry): string;
  mtime(entry: ContextEntry): Promise<Date>;
}

export function contextEntries(contextDir: string, sum: ContextChecksum | undefined): SourceEntries {
  const hostPath = (e: ContextEntry) => posix.join(contextDir, e.path);
  return {
    entries: sum?.entries ?? [],
    hostPath,
    mtime: async (e) => (await lstat(hostPath(e))).mtime,
  };
}

/** Downloaded files as entries: mode 0600 (Docker's) before --chmod, owned by root before --chown. */
export function remoteEntries(
  services: OpServices,
  files: readonly RemoteFile[],
  chmod: ChmodFn | undefined,
): SourceEntries {
  const byUrl = new Map(files.map((f) => [f.url, f]));
  return {
    entries: files.map((f) => ({
      path: f.url,
      dest: f.filename,
      type: 'file' as const,
      mode: chmod?.(0o600, 'file') ?? 0o600,
      uid: 0,
      gid: 0,
      size: f.size,
      hash: f.digest,
    })),
    hostPath: (e) => services.store.blobs.path(byUrl.get(e.path)!.digest),
    mtime: async (e) => byUrl.get(e.path)!.mtime,
  };
}

export async function layeredEntries(
  services: OpServices,
  sourceSnapshot: string | undefined,
  step: CopyStep,
  chmod: ChmodFn | undefined,
): Promise<SourceEntries> {
  const layers = sourceSnapshot === undefined ? [] : await services.snapshotter.lowerDirs(sourceSnapshot);
  const selected = await selectFromLayers(layers, step.sources, {
    parents: step.parents,
    excludes: step.exclude,
    ...(chmod !== undefined && { chmod }),
  });
  return {
    entries: selected.entries,
    hostPath: selected.hostPath,
    mtime: async (e) => (await lstat(selected.hostPath(e))).mtime,
  };
}

/** Several sources in one list, each entry still read from where it came. */
export function concatSources(parts: readonly SourceEntries[]): SourceEntries {
  const owner = new Map<ContextEntry, SourceEntries>();
  for (const part of parts) for (const e of part.entries) owner.set(e, part);
  return {
    entries: parts.flatMap((p) => p.entries),
    hostPath: (e) => owner.get(e)!.hostPath(e),
    mtime: (e) => owner.get(e)!.mtime(e),
  };
}

/** The same entries owned by `owner` (--chown). */
export function ownedBy(
  source: SourceEntries,
  owner: { readonly uid: number; readonly gid: number },
): SourceEntries {
  const original = new Map<ContextEntry, ContextEntry>();
  const entries = source.entries.map((e) => {
    const owned = { ...e, uid: owner.uid, gid: owner.gid };
    original.set(owned, e);
    return owned;
  });
  return {
    entries,
    hostPath: (e) => source.hostPath(original.get(e) ?? e),
    mtime: (e) => source.mtime(original.get(e) ?? e),
  };
}

/** Splits off the entries `pick` selects. */
export function partition(
  source: SourceEntries,
  picked: ReadonlySet<ContextEntry>,
): [SourceEntries, SourceEntries] {
  const sub = (keep: boolean): SourceEntries => ({
    ...source,
    entries: source.entries.filter((e) => picked.has(e) === keep),
  });
  return [sub(true), sub(false)];
}

/** The selection's manifest with sha256 of each file's content: the content-based key of COPY --from. */
export async function hashedManifest(source: SourceEntries): Promise<ContentManifest> {
  const entries: ContextEntry[] = [];
  for (const e of source.entries) {
    if (e.type !== 'file') {
      entries.push(e);
      continue;
    }
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(source.hostPath(e))) hash.update(chunk as Buffer);
    entries.push({ ...e, hash: hash.digest('hex') });
  }
  return manifestOf(entries);
}
