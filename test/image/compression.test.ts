import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, zstdDecompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  compressLayer,
  createParallelGzip,
  ensureCompressed,
  packLayer,
  sha256OfBytes,
  writeLayerBlob,
} from '../../src/image/index.ts';
import { tempStorePerTest } from './support/store.ts';

const t = tempStorePerTest();

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Incompressible bytes. */
const noise = (size: number) => randomBytes(size);

describe('parallel gzip', () => {
  it('writes concatenated members that gunzip and GNU gzip read back whole', async () => {
    const input = Buffer.concat([noise(300_000), Buffer.alloc(500_000, 7)]);
    const gz = await collect(
      Readable.from([input]).pipe(createParallelGzip({ chunkSize: 64 << 10, concurrency: 3 })),
    );
    expect(gunzipSync(gz).equals(input)).toBe(true);
    expect(execFileSync('gzip', ['-dc'], { input: gz }).equals(input)).toBe(true);
    // 13 chunks → 13 gzip members, each starting with the magic and deflate method 8.
    expect(gz.toString('hex').split('1f8b0800').length - 1).toBeGreaterThanOrEqual(13);
    const again = await collect(
      Readable.from([input]).pipe(createParallelGzip({ chunkSize: 64 << 10, concurrency: 1 })),
    );
    expect(again.equals(gz)).toBe(true);
  });

  it('writes a valid gzip stream for empty input', async () => {
    const gz = await collect(Readable.from([]).pipe(createParallelGzip()));
    expect(gunzipSync(gz).length).toBe(0);
  });

  it('refuses an out-of-range level', () => {
    expect(() => createParallelGzip({ level: 12 })).toThrow(/out of range 0\.\.9/);
  });
});

describe('layer compression', () => {
  async function storedLayer() {
    const snap = path.join(t.dir, 'snap');
    await mkdir(snap, { recursive: true });
    await writeFile(path.join(snap, 'data'), noise(200_000));
    return { layer: await writeLayerBlob(t.store, snap), tar: await collect(packLayer(snap)) };
  }

  it('computes diff_id and blob digest in one pass', async () => {
    const { tar } = await storedLayer();
    for (const compression of ['gzip', 'zstd'] as const) {
      const job = compressLayer(Readable.from([tar]), { compression, level: 1 });
      const bytes = await collect(job.stream);
      await job.done;
      expect(job.result()).toEqual({
        diffId: sha256OfBytes(tar),
        uncompressedSize: tar.length,
        digest: sha256OfBytes(bytes),
        size: bytes.length,
      });
      const back = compression === 'gzip' ? gunzipSync(bytes) : zstdDecompressSync(bytes);
      expect(back.equals(tar)).toBe(true);
    }
  });

  it('compresses a stored layer once per (algorithm, level) and reuses the kept blob', async () => {
    const { layer, tar } = await storedLayer();
    const [first, concurrent] = await Promise.all([
      ensureCompressed(t.store, layer.descriptor, { compression: 'zstd' }),
      ensureCompressed(t.store, layer.descriptor, { compression: 'zstd' }),
    ]);
    expect(concurrent).toEqual(first);
    expect(first.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    expect(zstdDecompressSync(await t.store.blobs.read(first.digest)).equals(tar)).toBe(true);
    // A second call must not read the layer again: break the source and ask once more.
    await writeFile(t.store.blobs.path(layer.diffId), 'clobbered');
    expect(await ensureCompressed(t.store, layer.descriptor, { compression: 'zstd' })).toEqual(first);
    await expect(
      ensureCompressed(t.store, layer.descriptor, { compression: 'gzip', level: 1 }),
    ).rejects.toMatchObject({
      code: 'DIGEST_MISMATCH',
    });
  });

  it('returns an already compressed layer as it is', async () => {
    const desc = {
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      digest: sha256OfBytes('x'),
      size: 1,
    };
    expect(await ensureCompressed(t.store, desc, { compression: 'zstd' })).toBe(desc);
  });
});
