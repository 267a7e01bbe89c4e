/**
 * `checkStore(root)`: a read-only audit of a whole store (`tsbuild check`). It re-hashes every
 * blob, validates tags, manifests, indexes and configs, cache records against the snapshots and
 * blobs they promise, snapshot metadata and parent chains, and lists crash debris. Meant for a
 * store no build is changing: a concurrent prune can make a record and its snapshot disappear
 * between two reads.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { checkBlobs } from './blobs.ts';
import { checkImages } from './images.ts';
import { checkLeftovers } from './leftovers.ts';
import { checkRecords } from './records.ts';
import { type CheckReport, createFindings } from './report.ts';
import { checkSnapshots } from './snapshots.ts';

export {
  type CheckArea,
  type CheckCounts,
  type CheckReport,
  formatCheckReport,
  isCorrupt,
  type Severity,
  type StoreProblem,
} from './report.ts';

export interface CheckOptions {
  /** Blobs hashed at once (default: number of CPUs). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

export async function checkStore(root: string, options: CheckOptions = {}): Promise<CheckReport> {
  const absolute = path.resolve(root);
  const findings = createFindings();
  const blobs = await checkBlobs(absolute, findings, {
    concurrency: options.concurrency ?? availableParallelism(),
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  const images = await checkImages(absolute, blobs, findings);
  const snapshots = await checkSnapshots(absolute, findings);
  const records = await checkRecords(absolute, blobs, snapshots, findings);
  await checkLeftovers(absolute, findings);
  return {
    root: absolute,
    problems: findings.list(),
    counts: {
      blobs: blobs.sizes.size + blobs.corrupt.size,
      blobBytes: blobs.bytes,
      ...images,
      records,
      snapshots: snapshots.size,
    },
  };
}
