/**
 * `type=local`: the cache as an OCI image layout directory (`oci-layout`, `index.json`,
 * `blobs/sha256/`), the form BuildKit uses too, so CI systems can cache the directory as is.
 * Blobs land under a temp name and are renamed; index.json is replaced atomically last.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TsbuildError } from '../../errors.ts';
import {
  type Descriptor,
  digestHex,
  type ImageIndex,
  OCI_INDEX,
  parseIndex,
  parseManifest,
  sha256OfBytes,
} from '../../image/index.ts';
import { writeJsonAtomic } from '../atomic.ts';
import type { CacheTarget } from './target.ts';

const REF_NAME = 'org.opencontainers.image.ref.name';
const MAX_INDEX_BYTES = 4 * 1024 * 1024;

async function readIfPresent(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function createLocalTarget(dir: string, tag: string): CacheTarget {
  const root = path.resolve(dir);
  const where = `directory ${root}`;
  const blobPath = (d: Descriptor) => path.join(root, 'blobs', 'sha256', digestHex(d.digest));
  const indexPath = path.join(root, 'index.json');

  const readIndex = async (): Promise<ImageIndex | undefined> => {
    const bytes = await readIfPresent(indexPath);
    if (bytes === undefined) return undefined;
    if (bytes.length > MAX_INDEX_BYTES) {
      throw new TsbuildError('CACHE', `${indexPath} is larger than ${MAX_INDEX_BYTES} bytes`);
    }
    return parseIndex(bytes, indexPath);
  };

  const readBlob = async (blob: Descriptor): Promise<Readable> => {
    const file = blobPath(blob);
    const size = await stat(file).then(
      (st) => st.size,
      () => undefined,
    );
    if (size === undefined) {
      throw new TsbuildError('CACHE', `${where}: blob ${blob.digest} is missing`, {
        hint: 'the cache directory is incomplete; export it again',
      });
    }
    return createReadStream(file);
  };

  return {
    where,
    async readManifest() {
      const index = await readIndex();
      const entry = index?.manifests.find((m) => m.annotations?.[REF_NAME] === tag);
      if (entry === undefined) return undefined;
      const stream = await readBlob(entry);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return parseManifest(Buffer.concat(chunks), `${where} (manifest ${tag})`);
    },
    readBlob,
    async writeBlob(blob, open) {
      const file = blobPath(blob);
      if ((await stat(file).catch(() => undefined))?.size === blob.size) return;
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
      try {
        await pipeline(await open(), createWriteStream(temp));
        await rename(temp, file);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    async writeManifest(bytes, mediaType) {
      await mkdir(root, { recursive: true });
      await writeFile(path.join(root, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
      const descriptor: Descriptor = {
        mediaType,
        digest: sha256OfBytes(bytes),
        size: bytes.byteLength,
        annotations: { [REF_NAME]: tag },
      };
      const blobFile = blobPath(descriptor);
      await mkdir(path.dirname(blobFile), { recursive: true });
      await writeFile(blobFile, bytes);
      const previous = (await readIndex())?.manifests ?? [];
      const index: ImageIndex = {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [...previous.filter((m) => m.annotations?.[REF_NAME] !== tag), descriptor],
      };
      await writeJsonAtomic(indexPath, index);
    },
  } satisfies CacheTarget;
}
