/** On-disk records of the snapshot store: `<root>/snapshots/<n>/{fs,work,meta.json}`. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { TsbuildError } from '../../errors.ts';
import { isOwner, type Owner } from '../owner.ts';
import type { SnapshotState } from './types.ts';

export interface SnapshotMeta {
  readonly id: string;
  readonly parent: string | undefined;
  readonly state: SnapshotState;
  readonly chainId: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdAt: string;
  /** Set while active: the process that may still commit it; sweep removes it once that process is gone. */
  readonly owner: Owner | undefined;
}

export const ID_PATTERN = /^[1-9][0-9]*$/;

export function snapshotsDir(root: string): string {
  return join(root, 'snapshots');
}

export function snapshotDir(root: string, id: string): string {
  return join(snapshotsDir(root), id);
}

export async function writeMeta(root: string, meta: SnapshotMeta): Promise<void> {
  await writeMetaIn(snapshotDir(root, meta.id), meta);
}

/** Writes meta.json into `dir`, which may still be a staging dir (see allocate.ts). */
export async function writeMetaIn(dir: string, meta: SnapshotMeta): Promise<void> {
  await writeFileAtomic(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
}

function parseMeta(id: string, text: string): SnapshotMeta {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const state = raw.state === 'committed' ? 'committed' : 'active';
  const labels = typeof raw.labels === 'object' && raw.labels !== null ? raw.labels : {};
  return {
    id,
    parent: typeof raw.parent === 'string' ? raw.parent : undefined,
    state,
    chainId: typeof raw.chainId === 'string' ? raw.chainId : undefined,
    labels: labels as Record<string, string>,
    createdAt: typeof raw.createdAt === 'string' ? raw.createdAt : '',
    owner: isOwner(raw.owner) ? raw.owner : undefined,
  };
}

/** undefined when the snapshot does not exist (or is still being created). */
export async function readMeta(root: string, id: string): Promise<SnapshotMeta | undefined> {
  if (!ID_PATTERN.test(id)) {
    throw new TsbuildError(
      'SNAPSHOT',
      `Invalid snapshot id ${JSON.stringify(id)}: ids are positive integers`,
    );
  }
  let text: string;
  try {
    text = await readFile(join(snapshotDir(root, id), 'meta.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseMeta(id, text);
}
