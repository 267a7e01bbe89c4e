/**
 * The context diff the client sends: a tar of the entries the daemon's
 * mirror needs, preceded by OCI whiteouts (`dir/.wh.name`) for the paths it
 * must drop, so the daemon applies it like an image layer.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { TsbuildError } from '../errors.ts';
import type { ContextEntry } from './context-walk.ts';
import type { ContextPlan } from './protocol.ts';

function whiteout(path: string): string {
  const dir = posix.dirname(path);
  const name = `.wh.${posix.basename(path)}`;
  return dir === '.' ? name : `${dir}/${name}`;
}

/** Files up to this size are read whole, several at once ahead of the writer; larger ones stream. */
const SMALL = 1024 * 1024;
const READ_AHEAD = 32;

export function packContextDiff(
  contextDir: string,
  manifest: readonly ContextEntry[],
  plan: ContextPlan,
): AsyncIterable<Uint8Array> {
  const pack = tarStream.pack();
  const byPath = new Map(manifest.map((e) => [e.path, e]));
  const entries = plan.need.flatMap((path) => byPath.get(path) ?? []);
  // Whole reads of small files, started up to READ_AHEAD entries before the writer needs them:
  // one file per stream made the client spend ~0.3 ms per file (15 s for 50,000 small files).
  const reads = new Map<number, Promise<Buffer>>();
  let next = 0;
  const readAhead = (upTo: number) => {
    for (; next < Math.min(upTo, entries.length); next++) {
      const e = entries[next]!;
      if (e.type === 'file' && e.size <= SMALL) {
        const read = readFile(join(contextDir, e.path));
        read.catch(() => undefined); // awaited in order below; a failure surfaces there
        reads.set(next, read);
      }
    }
  };
  const write = async () => {
    for (const path of plan.remove)
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name: whiteout(path), type: 'file', size: 0, mode: 0o644 }, '', (e) =>
          e ? reject(e) : resolve(),
        ),
      );
    for (const [i, e] of entries.entries()) {
      readAhead(i + READ_AHEAD);
      if (posix.basename(e.path).startsWith('.wh.'))
        throw new TsbuildError('CONTEXT', `context file ${e.path} cannot be sent to a daemon`, {
          hint: 'names starting with .wh. mean "deleted" in layer tars; rename it or list it in .dockerignore',
        });
      const header = { name: e.path, mode: e.mode, mtime: new Date(e.mtimeMs), uid: 0, gid: 0 };
      if (e.type === 'dir') {
        await new Promise<void>((resolve, reject) =>
          pack.entry({ ...header, type: 'directory' }, (err) => (err ? reject(err) : resolve())),
        );
      } else if (e.type === 'symlink') {
        await new Promise<void>((resolve, reject) =>
          pack.entry({ ...header, type: 'symlink', linkname: e.linkname ?? '' }, (err) =>
            err ? reject(err) : resolve(),
          ),
        );
      } else if (reads.has(i)) {
        const data = await reads.get(i)!;
        reads.delete(i);
        if (data.length !== e.size)
          throw new TsbuildError('CONTEXT', `context file ${e.path} changed while it was sent`, {
            hint: 'stop whatever writes to the context and build again',
          });
        await new Promise<void>((resolve, reject) =>
          pack.entry({ ...header, type: 'file', size: e.size }, data, (err) =>
            err ? reject(err) : resolve(),
          ),
        );
      } else {
        const sink = pack.entry({ ...header, type: 'file', size: e.size });
        await pipeline(createReadStream(join(contextDir, e.path)), sink);
      }
    }
    pack.finalize();
  };
  write().catch((error: unknown) => pack.destroy(error as Error));
  // A streamx Readable of tar bytes.
  return pack as AsyncIterable<Uint8Array>;
}
