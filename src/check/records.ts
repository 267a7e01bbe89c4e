/**
 * Cache records: each parses, is filed under its own key, and everything it would hand to a
 * build is there — its snapshot committed with the chain id of its layers, its layer blobs intact,
 * its content manifest present.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CacheRecord } from '../cache/index.ts';
import { chainIdOf, isDigest } from '../image/index.ts';
import { type BlobIndex, blobProblem } from './blobs.ts';
import type { Findings } from './report.ts';
import type { CheckedSnapshot } from './snapshots.ts';

/** The layer list of a record's result, when the op gave it that shape (ops/types.ts StateResult). */
interface ResultLayer {
  readonly digest: string;
  readonly diffId: unknown;
  readonly size: number;
}

function resultOf(record: CacheRecord): { layers?: readonly ResultLayer[]; snapshotId?: string } {
  const result = record.result as { layers?: unknown; snapshotId?: unknown } | null | undefined;
  if (typeof result !== 'object' || result === null) return {};
  const layers = Array.isArray(result.layers) ? (result.layers as ResultLayer[]) : undefined;
  const snapshotId = typeof result.snapshotId === 'string' ? result.snapshotId : undefined;
  return { ...(layers !== undefined && { layers }), ...(snapshotId !== undefined && { snapshotId }) };
}

function recordProblems(
  record: CacheRecord,
  blobs: BlobIndex,
  snapshots: ReadonlyMap<string, CheckedSnapshot>,
  hasContent: (digest: string) => boolean,
): string[] {
  const problems: string[] = [];
  const { layers = [], snapshotId } = resultOf(record);
  if (record.layer !== undefined) {
    const problem = blobProblem(blobs, record.layer.digest, record.layer.size);
    if (problem !== undefined) problems.push(`its layer blob ${problem}`);
  }
  layers.forEach((layer, i) => {
    const problem = blobProblem(blobs, String(layer.digest), layer.size);
    if (problem !== undefined && layer.digest !== record.layer?.digest) {
      problems.push(`layer ${i} of its result: blob ${problem}`);
    }
  });
  for (const id of new Set([record.snapshotId, snapshotId].filter((s) => s !== undefined))) {
    const snapshot = snapshots.get(id);
    if (snapshot === undefined) {
      problems.push(`its snapshot ${id} is missing or not committed`);
      continue;
    }
    const diffIds = layers.map((l) => l.diffId);
    if (!diffIds.every(isDigest)) {
      problems.push('its result lists a layer without a valid diff id');
      continue;
    }
    // The snapshot must hold exactly the stack of layers the record describes.
    const expected = chainIdOf(diffIds);
    if (layers.length > 0 && snapshot.chainId !== undefined && snapshot.chainId !== expected) {
      problems.push(`its snapshot ${id} has chain id ${snapshot.chainId}, its layers make ${expected}`);
    }
  }
  if (record.contentDigest !== undefined && !hasContent(record.contentDigest)) {
    problems.push(`its content manifest ${record.contentDigest} is missing`);
  }
  return problems;
}

export async function checkRecords(
  root: string,
  blobs: BlobIndex,
  snapshots: ReadonlyMap<string, CheckedSnapshot>,
  findings: Findings,
): Promise<number> {
  const recordsDir = path.join(root, 'cache', 'records');
  const contentDir = path.join(root, 'cache', 'content');
  const list = async (dir: string) => readdir(dir).catch(() => [] as string[]);
  const content = new Set((await list(contentDir)).map((name) => `sha256:${name.replace(/\.json$/, '')}`));
  let count = 0;
  for (const shard of await list(recordsDir)) {
    for (const name of await list(path.join(recordsDir, shard))) {
      const rel = path.join('cache', 'records', shard, name);
      const match = /^([0-9a-f]{64})\.json$/.exec(name);
      if (match === null || shard !== match[1]!.slice(0, 2)) {
        // write-file-atomic's temp files sit beside their target as `<name>.<hash>`.
        findings.add('cache', 'leftover', rel, 'not a record: an interrupted write');
        continue;
      }
      count++;
      let record: CacheRecord;
      try {
        record = JSON.parse(await readFile(path.join(recordsDir, shard, name), 'utf8')) as CacheRecord;
      } catch (error) {
        findings.add('cache', 'corrupt', rel, `unreadable record: ${(error as Error).message}`);
        continue;
      }
      if (record.key !== `sha256:${match[1]}`) {
        findings.add(
          'cache',
          'corrupt',
          rel,
          `record of key ${JSON.stringify(record.key)} filed under another key`,
        );
        continue;
      }
      for (const problem of recordProblems(record, blobs, snapshots, (d) => content.has(d))) {
        findings.add('cache', 'corrupt', rel, problem);
      }
    }
  }
  return count;
}
