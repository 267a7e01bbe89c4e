/**
 * Image-module throughput: hashing, gzip (one stream vs. parallel members), zstd, writing a layer
 * tar from a snapshot dir, applying it, and compressing a stored layer through the memo.
 * Usage: node bench/image.ts [MiB]   (prints numbers; asserts nothing)
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, createZstdCompress, constants as z } from 'node:zlib';
import {
  applyLayer,
  createParallelGzip,
  ensureCompressed,
  openImageStore,
  packLayer,
  writeLayerBlob,
} from '../src/image/index.ts';

const mib = Number(process.argv[2] ?? 256);
const base = await mkdtemp(path.join(tmpdir(), 'tsbuild-bench-image-'));

/** Half random (incompressible), half text-like (compressible), as real layers mix both. */
function payload(bytes: number): Buffer {
  const text = Buffer.from('lorem ipsum dolor sit amet, consectetur adipiscing elit; '.repeat(1 << 12));
  const out = Buffer.alloc(bytes);
  for (let at = 0; at < bytes; at += 1 << 20) {
    const chunk = (at >> 20) % 2 === 0 ? randomBytes(1 << 20) : text.subarray(0, 1 << 20);
    chunk.copy(out, at);
  }
  return out;
}

const sink = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

function chunks(buf: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < buf.length; i += 1 << 16) yield buf.subarray(i, i + (1 << 16));
    })(),
  );
}

async function rate(label: string, bytes: number, work: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  await work();
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `${label.padEnd(40)} ${(bytes / 2 ** 20 / seconds).toFixed(0).padStart(6)} MB/s  (${seconds.toFixed(2)} s)`,
  );
}

try {
  const data = payload(mib << 20);
  console.log(`payload: ${mib} MiB, half random, half text`);
  await rate('sha256', data.length, async () => createHash('sha256').update(data).digest());
  for (const level of [1, 6]) {
    await rate(`gzip -${level}, one stream`, data.length, () =>
      pipeline(chunks(data), createGzip({ level }), sink()),
    );
    await rate(`gzip -${level}, parallel members`, data.length, () =>
      pipeline(chunks(data), createParallelGzip({ level }), sink()),
    );
  }
  await rate('zstd -3', data.length, () =>
    pipeline(chunks(data), createZstdCompress({ params: { [z.ZSTD_c_compressionLevel]: 3 } }), sink()),
  );

  const snap = path.join(base, 'snap');
  const files = 4096;
  const per = Math.floor(data.length / files);
  for (let i = 0; i < files; i++) {
    const dir = path.join(snap, `d${i % 64}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `f${i}`), data.subarray(i * per, (i + 1) * per));
  }
  const store = await openImageStore(path.join(base, 'store'));
  await rate(`packLayer (${files} files) to nowhere`, data.length, () => pipeline(packLayer(snap), sink()));
  let layer: Awaited<ReturnType<typeof writeLayerBlob>> | undefined;
  await rate('writeLayerBlob (tar → store, hashed)', data.length, async () => {
    layer = await writeLayerBlob(store, snap);
  });
  await rate('applyLayer (store → new dir)', data.length, async () =>
    applyLayer(await store.blobs.open(layer!.diffId), path.join(base, 'applied')),
  );
  await rate('ensureCompressed gzip -6 (first)', data.length, () =>
    ensureCompressed(store, layer!.descriptor, { compression: 'gzip' }),
  );
  await rate('ensureCompressed gzip -6 (memoised)', data.length, () =>
    ensureCompressed(store, layer!.descriptor, { compression: 'gzip' }),
  );
  await rate('ensureCompressed zstd -3 (first)', data.length, () =>
    ensureCompressed(store, layer!.descriptor, { compression: 'zstd' }),
  );
} finally {
  await rm(base, { recursive: true, force: true });
}
