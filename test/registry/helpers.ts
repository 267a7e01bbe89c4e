/** Test helpers: temp image stores, small images built in the test, a gzip compressor double. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { sha256OfBytes } from '../../src/image/digest.ts';
import { appendLayer, emptyImage, type Image } from '../../src/image/image.ts';
import { OCI_LAYER, OCI_LAYER_GZIP } from '../../src/image/media-types.ts';
import { parseReference } from '../../src/image/reference.ts';
import { writeImage } from '../../src/image/store/documents.ts';
import { type ImageStore, openImageStore } from '../../src/image/store/store.ts';
import type { Descriptor } from '../../src/image/types.ts';
import type { EnsureCompressed } from '../../src/registry/index.ts';

export interface TempStore {
  readonly store: ImageStore;
  cleanup(): Promise<void>;
}

export async function tempStore(): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbuild-regtest-'));
  return { store: await openImageStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Temp stores made during a suite, removed together in afterAll. */
export function storePool(): { next(): Promise<TempStore>; cleanup(): Promise<void> } {
  const made: TempStore[] = [];
  return {
    async next() {
      const s = await tempStore();
      made.push(s);
      return s;
    },
    async cleanup() {
      for (const s of made.splice(0)) await s.cleanup();
    },
  };
}

/** A tar of `files` (path → content), entries in the given order. */
export async function tarOf(files: Readonly<Record<string, Uint8Array | string>>): Promise<Buffer> {
  const p = pack();
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
    p.entry({ name, size: data.length, mode: 0o755, mtime: new Date(0) }, data);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export type LayerForm = 'gzip' | 'none';

/** Builds an image from one layer per `layers` entry, stores it and tags it `name`. */
export async function buildTestImage(
  store: ImageStore,
  name: string,
  layers: readonly Readonly<Record<string, Uint8Array | string>>[],
  form: LayerForm = 'gzip',
  platform = { os: 'linux', architecture: 'amd64' },
): Promise<Descriptor> {
  let image: Image = emptyImage({ platform, sourceDateEpoch: 0 });
  for (const files of layers) {
    const tar = await tarOf(files);
    const blob = form === 'gzip' ? gzipSync(tar) : tar;
    const descriptor: Descriptor = {
      mediaType: form === 'gzip' ? OCI_LAYER_GZIP : OCI_LAYER,
      digest: sha256OfBytes(blob),
      size: blob.length,
    };
    await store.blobs.put(blob, descriptor);
    image = appendLayer(image, { descriptor, diffId: sha256OfBytes(tar) }, { created_by: `layer ${name}` });
  }
  const manifest = await writeImage(store, image);
  await store.refs.set(parseReference(name), manifest);
  return manifest;
}

/** Stand-in for the image module's ensureCompressed: gzip once per layer, remembered. */
export function gzipCompressor(store: ImageStore): { ensure: EnsureCompressed; calls: () => number } {
  const memo = new Map<string, Descriptor>();
  let calls = 0;
  const ensure: EnsureCompressed = async (layer) => {
    calls++;
    const known = memo.get(layer.digest);
    if (known) return known;
    const gz = gzipSync(await store.blobs.read(layer.digest));
    const descriptor: Descriptor = { mediaType: OCI_LAYER_GZIP, digest: sha256OfBytes(gz), size: gz.length };
    await store.blobs.put(gz, descriptor);
    memo.set(layer.digest, descriptor);
    return descriptor;
  };
  return { ensure, calls: () => calls };
}

/** Bytes that do not compress, so layer sizes in tests stay what they say. */
export function noise(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
