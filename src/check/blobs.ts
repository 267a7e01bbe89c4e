/** Re-hashes every blob of the store: a blob is good only when its bytes hash to its name. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import PQueue from 'p-queue';
import type { Findings } from './report.ts';

export interface BlobIndex {
  /** Size of every blob whose content matches its digest, by digest. */
  readonly sizes: ReadonlyMap<string, number>;
  /** Digests of blobs present but corrupt (already reported). */
  readonly corrupt: ReadonlySet<string>;
  readonly bytes: number;
}

const HEX = /^[0-9a-f]{64}$/;

async function sha256OfFile(file: string, signal: AbortSignal | undefined): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) hash.update(chunk);
  return hash.digest('hex');
}

export async function checkBlobs(
  root: string,
  findings: Findings,
  options: { readonly concurrency: number; readonly signal?: AbortSignal },
): Promise<BlobIndex> {
  const dir = path.join(root, 'blobs', 'sha256');
  const sizes = new Map<string, number>();
  const corrupt = new Set<string>();
  let bytes = 0;
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const queue = new PQueue({ concurrency: options.concurrency });
  for (const name of names) {
    const rel = path.join('blobs', 'sha256', name);
    queue.add(async () => {
      const file = path.join(dir, name);
      const stat = await lstat(file);
      if (!HEX.test(name) || !stat.isFile()) {
        findings.add('blob', 'corrupt', rel, 'not a blob: blob names are 64 hex digits of a regular file');
        return;
      }
      const actual = await sha256OfFile(file, options.signal);
      bytes += stat.size;
      if (actual !== name) {
        corrupt.add(`sha256:${name}`);
        findings.add('blob', 'corrupt', rel, `content hashes to sha256:${actual} (${stat.size} bytes)`);
        return;
      }
      sizes.set(`sha256:${name}`, stat.size);
    });
  }
  await queue.onIdle();
  return { sizes, corrupt, bytes };
}

/** Explains why a referenced blob cannot be used, or undefined when it can. */
export function blobProblem(blobs: BlobIndex, digest: string, size?: number): string | undefined {
  if (blobs.corrupt.has(digest)) return `${digest} is corrupt`;
  const actual = blobs.sizes.get(digest);
  if (actual === undefined) return `${digest} is missing`;
  if (size !== undefined && actual !== size) return `${digest} has ${actual} bytes, ${size} expected`;
  return undefined;
}
