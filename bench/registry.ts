/**
 * Pull and push throughput against a loopback docker-registry for a ~200 MB image (4 gzip layers
 * of incompressible data). Prints MB/s; run with `node_modules/.bin/node bench/registry.ts [MB]`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { sha256OfBytes } from '../src/image/digest.ts';
import { appendLayer, emptyImage } from '../src/image/image.ts';
import { OCI_LAYER_GZIP } from '../src/image/media-types.ts';
import { parseReference } from '../src/image/reference.ts';
import { writeImage } from '../src/image/store/documents.ts';
import { openImageStore } from '../src/image/store/store.ts';
import { pullImage, pushImage } from '../src/registry/index.ts';
import { startRegistry } from '../test/support/registry.ts';

const totalMb = Number(process.argv[2] ?? 200);
const layerCount = 4;
const noCredentials = { get: async () => undefined };

async function layerTar(bytes: number): Promise<Buffer> {
  const p = pack();
  p.entry({ name: 'data.bin', size: bytes, mtime: new Date(0) }, randomBytes(bytes));
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const mbps = (bytes: number, ms: number) => (bytes / 1e6 / (ms / 1000)).toFixed(1);

const registry = await startRegistry();
const work = await mkdtemp(join(tmpdir(), 'tsbuild-bench-registry-'));
try {
  const source = await openImageStore(join(work, 'source'));
  let image = emptyImage({ platform: { os: 'linux', architecture: 'amd64' }, sourceDateEpoch: 0 });
  let total = 0;
  for (let i = 0; i < layerCount; i++) {
    const tar = await layerTar(Math.floor((totalMb * 1e6) / layerCount));
    const gz = gzipSync(tar, { level: 1 });
    const descriptor = { mediaType: OCI_LAYER_GZIP, digest: sha256OfBytes(gz), size: gz.length };
    await source.blobs.put(gz, descriptor);
    image = appendLayer(image, { descriptor, diffId: sha256OfBytes(tar) });
    total += gz.length;
  }
  const manifest = await writeImage(source, image);
  await source.refs.set(parseReference('bench:1'), manifest);
  console.log(`image: ${layerCount} layers, ${(total / 1e6).toFixed(1)} MB compressed`);

  for (const [label, chunkSize] of [
    ['push (monolithic PUT)', undefined],
    ['push (chunked PATCH, 16 MiB)', 16 * 1024 * 1024],
  ] as const) {
    const repo = chunkSize ? 'bench/chunked' : 'bench/mono';
    const t0 = performance.now();
    await pushImage(source, 'bench:1', `${registry.host}/${repo}:1`, {
      credentials: noCredentials,
      ...(chunkSize ? { chunkSize } : {}),
    });
    const ms = performance.now() - t0;
    console.log(`${label}: ${ms.toFixed(0)} ms, ${mbps(total, ms)} MB/s`);
  }

  for (const concurrency of [1, 3]) {
    const target = await openImageStore(join(work, `pull-${concurrency}`));
    const t0 = performance.now();
    const result = await pullImage(target, `${registry.host}/bench/mono:1`, {
      credentials: noCredentials,
      concurrency,
    });
    const ms = performance.now() - t0;
    console.log(
      `pull (concurrency ${concurrency}): ${ms.toFixed(0)} ms, ${mbps(result.bytesFetched, ms)} MB/s`,
    );
  }
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
