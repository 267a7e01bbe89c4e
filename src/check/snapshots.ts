/**
 * Snapshot metadata and parent chains: every snapshot dir has a readable meta.json naming
 * itself, committed snapshots have their files and a committed parent chain without loops, the
 * id high-water mark covers every id. Active snapshots of live processes are someone's work in
 * progress; those of dead processes are leftovers the next start sweeps.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ID_PATTERN, isOwnerAlive, type Owner, snapshotsDir } from '../executor/index.ts';
import type { Findings } from './report.ts';

export interface CheckedSnapshot {
  readonly state: 'committed' | 'active';
  readonly parent: string | undefined;
  readonly chainId: string | undefined;
}

/** Label of a flattened copy: the snapshot whose merged chain it holds (executor/snapshot/flatten.ts). */
const FLATTENED_FROM = 'tsbuild.flattened-from';
const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** Dirs a snapshot is assembled in before it gets its id (executor/snapshot/allocate.ts). */
const STAGING_PREFIX = '.new-';

interface RawMeta {
  readonly id?: unknown;
  readonly parent?: unknown;
  readonly state?: unknown;
  readonly chainId?: unknown;
  readonly labels?: unknown;
  readonly owner?: unknown;
}

async function isDir(file: string): Promise<boolean> {
  return (await lstat(file).catch(() => undefined))?.isDirectory() === true;
}

/** Why a meta.json is unusable, or undefined. */
function metaProblem(id: string, meta: RawMeta): string | undefined {
  if (meta.id !== id) return `meta.json names snapshot ${JSON.stringify(meta.id)}, not ${id}`;
  if (meta.state !== 'committed' && meta.state !== 'active')
    return `unknown state ${JSON.stringify(meta.state)}`;
  if (meta.parent !== undefined && (typeof meta.parent !== 'string' || !ID_PATTERN.test(meta.parent))) {
    return `invalid parent ${JSON.stringify(meta.parent)}`;
  }
  if (meta.chainId !== undefined && (typeof meta.chainId !== 'string' || !DIGEST.test(meta.chainId))) {
    return `invalid chain id ${JSON.stringify(meta.chainId)}`;
  }
  return undefined;
}

export async function checkSnapshots(
  root: string,
  findings: Findings,
): Promise<ReadonlyMap<string, CheckedSnapshot>> {
  const dir = snapshotsDir(root);
  const rel = (...parts: string[]) => path.join('snapshots', ...parts);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const found = new Map<string, CheckedSnapshot>();
  const labels = new Map<string, Readonly<Record<string, unknown>>>();
  let highest = 0;
  for (const name of names.filter((n) => n.startsWith(STAGING_PREFIX))) {
    const [pid, startTime] = name.slice(STAGING_PREFIX.length).split('-');
    if (!isOwnerAlive({ pid: Number(pid), startTime: startTime ?? '' })) {
      findings.add('snapshot', 'leftover', rel(name), 'snapshot whose creation was cut short');
    }
  }
  for (const id of names.filter((name) => ID_PATTERN.test(name))) {
    highest = Math.max(highest, Number(id));
    let meta: RawMeta;
    try {
      meta = JSON.parse(await readFile(path.join(dir, id, 'meta.json'), 'utf8')) as RawMeta;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        findings.add('snapshot', 'leftover', rel(id), 'no meta.json: a removal cut short');
      } else {
        findings.add('snapshot', 'corrupt', rel(id, 'meta.json'), `unreadable: ${(error as Error).message}`);
      }
      continue;
    }
    const problem = metaProblem(id, meta);
    if (problem !== undefined) {
      findings.add('snapshot', 'corrupt', rel(id, 'meta.json'), problem);
      continue;
    }
    if (meta.state === 'active') {
      if (!isOwnerAlive(meta.owner as Owner | undefined)) {
        findings.add('snapshot', 'leftover', rel(id), 'active snapshot of a process that is gone');
      }
      continue;
    }
    if (!(await isDir(path.join(dir, id, 'fs')))) {
      findings.add('snapshot', 'corrupt', rel(id), 'committed snapshot without its fs dir');
      continue;
    }
    found.set(id, {
      state: 'committed',
      parent: meta.parent as string | undefined,
      chainId: meta.chainId as string | undefined,
    });
    if (typeof meta.labels === 'object' && meta.labels !== null)
      labels.set(id, meta.labels as Record<string, unknown>);
  }
  for (const [id, snapshot] of found) {
    const seen = new Set<string>([id]);
    for (let at = snapshot.parent; at !== undefined; at = found.get(at)?.parent) {
      if (!found.has(at)) {
        findings.add(
          'snapshot',
          'corrupt',
          rel(id),
          `its parent chain reaches snapshot ${at}, which is not committed`,
        );
        break;
      }
      if (seen.has(at)) {
        findings.add('snapshot', 'corrupt', rel(id), `its parent chain loops at snapshot ${at}`);
        break;
      }
      seen.add(at);
    }
    const source = labels.get(id)?.[FLATTENED_FROM];
    if (typeof source === 'string' && !found.has(source)) {
      findings.add('snapshot', 'corrupt', rel(id), `flattened copy of snapshot ${source}, which is gone`);
    }
  }
  const lastId = Number.parseInt(await readFile(path.join(dir, 'last-id'), 'utf8').catch(() => '0'), 10);
  // A crash between claiming an id and recording it leaves the mark behind; sweep raises it.
  if (highest > 0 && !(lastId >= highest)) {
    findings.add('snapshot', 'leftover', rel('last-id'), `records ${lastId}, below snapshot ${highest}`);
  }
  return found;
}
