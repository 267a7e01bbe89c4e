import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Header } from 'tar-stream';
import { createExtract, createPack, type LayerHeader, paxRecordsOf } from '../../../src/image/tar/pax.ts';

export interface TarEntry {
  readonly header: Header;
  readonly data: Buffer;
  readonly pax: ReadonlyMap<string, Buffer>;
}

/** Reads a whole (uncompressed) tar into memory; test sizes only. */
export async function readTar(source: Buffer | AsyncIterable<Uint8Array>): Promise<TarEntry[]> {
  const extract = createExtract();
  const entries: TarEntry[] = [];
  const input = Buffer.isBuffer(source) ? Readable.from([source]) : Readable.from(source);
  input.pipe(extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    entries.push({ header: entry.header, data: Buffer.concat(chunks), pax: paxRecordsOf(entry.header) });
  }
  return entries;
}

export interface RawEntry {
  readonly header: LayerHeader;
  readonly data?: Buffer | string;
}

/** Builds a tar in memory from headers as given (hostile ones included): for crafting test input. */
export async function buildTar(entries: readonly RawEntry[]): Promise<Buffer> {
  const pack = createPack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const { header, data } of entries) {
    const body = data === undefined ? undefined : Buffer.from(data);
    await new Promise<void>((resolve, reject) => {
      const h = { mtime: new Date(0), mode: 0o100644, ...header, ...(body ? { size: body.length } : {}) };
      const cb = (error?: Error | null) => (error ? reject(error) : resolve());
      if (body) pack.entry(h as Parameters<typeof pack.entry>[0], body, cb);
      else pack.entry(h as Parameters<typeof pack.entry>[0], cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A temp dir removed by the returned cleanup. */
export async function tempDir(
  prefix = 'tsbuild-image-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export const isRoot = process.getuid?.() === 0;
