/**
 * Tags and the documents they lead to: every tag file names a descriptor, every manifest parses
 * and has its config and layers, every config parses and lists one diff id per layer. Untagged
 * manifests and indexes found among the blobs are held to the same rules.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  checkDescriptor,
  type Descriptor,
  DOCKER_CONFIG,
  isIndexMediaType,
  isManifestMediaType,
  layerCompressionOf,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
  parseConfig,
  parseIndex,
  parseManifest,
} from '../image/index.ts';
import { type BlobIndex, blobProblem } from './blobs.ts';
import type { Findings } from './report.ts';

export interface ImageCounts {
  readonly tags: number;
  readonly manifests: number;
  readonly indexes: number;
  readonly configs: number;
}

/** Documents larger than this are not manifests we would have written; they are not sniffed. */
const MAX_DOCUMENT = 4 << 20;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Tag files: `refs/<registry>/<repo…>/_tags/<tag>` and `…/_digests/<hex>`. */
async function tagFiles(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const full = path.join(dir, entry.name);
    if (entry.name === '_tags' || entry.name === '_digests') {
      out.push(...(await readdir(full)).map((name) => path.join(full, name)));
    } else {
      out.push(...(await tagFiles(full)));
    }
  }
  return out;
}

export async function checkImages(root: string, blobs: BlobIndex, findings: Findings): Promise<ImageCounts> {
  const rel = (digest: string) => path.join('blobs', 'sha256', digest.slice('sha256:'.length));
  const seen = new Set<string>();
  const diffIds = new Map<string, readonly string[] | undefined>();
  let manifests = 0;
  let indexes = 0;
  let configs = 0;

  const read = (digest: string) => readFile(path.join(root, rel(digest)));

  /** The config's diff ids, or undefined when it is unreadable (reported). */
  async function configDiffIds(descriptor: Descriptor): Promise<readonly string[] | undefined> {
    const known = diffIds.get(descriptor.digest);
    if (known !== undefined || diffIds.has(descriptor.digest)) return known;
    configs++;
    let ids: readonly string[] | undefined;
    try {
      ids = parseConfig(await read(descriptor.digest), `image config ${descriptor.digest}`).rootfs.diff_ids;
    } catch (error) {
      findings.add('image', 'corrupt', rel(descriptor.digest), message(error));
    }
    diffIds.set(descriptor.digest, ids);
    return ids;
  }

  async function checkManifest(digest: string, bytes: Buffer): Promise<void> {
    manifests++;
    const where = rel(digest);
    let manifest: ReturnType<typeof parseManifest>;
    try {
      manifest = parseManifest(bytes, `manifest ${digest}`);
    } catch (error) {
      findings.add('image', 'corrupt', where, message(error));
      return;
    }
    const configMissing = blobProblem(blobs, manifest.config.digest, manifest.config.size);
    if (configMissing !== undefined) findings.add('image', 'corrupt', where, `its config ${configMissing}`);
    manifest.layers.forEach((layer, i) => {
      const problem = blobProblem(blobs, layer.digest, layer.size);
      if (problem !== undefined) findings.add('image', 'corrupt', where, `its layer ${i} ${problem}`);
    });
    // Artifacts (e.g. cache manifests) carry configs of other types: only image configs are parsed.
    const isImage = manifest.config.mediaType === OCI_CONFIG || manifest.config.mediaType === DOCKER_CONFIG;
    if (!isImage || configMissing !== undefined) return;
    const ids = await configDiffIds(manifest.config);
    if (ids === undefined) return;
    if (ids.length !== manifest.layers.length) {
      const count = `${ids.length} diff ids for ${manifest.layers.length} layers`;
      findings.add('image', 'corrupt', where, `its config ${manifest.config.digest} lists ${count}`);
      return;
    }
    manifest.layers.forEach((layer, i) => {
      // An uncompressed layer's digest is its diff id: a mismatch means the config describes other bytes.
      if (layerCompressionOf(layer.mediaType) === 'none' && ids[i] !== layer.digest) {
        findings.add('image', 'corrupt', where, `layer ${i} ${layer.digest} is not diff id ${ids[i]}`);
      }
    });
  }

  async function checkDocument(descriptor: Descriptor, depth: number): Promise<void> {
    if (seen.has(descriptor.digest)) return;
    seen.add(descriptor.digest);
    const bytes = await read(descriptor.digest);
    if (isIndexMediaType(descriptor.mediaType)) {
      indexes++;
      let index: ReturnType<typeof parseIndex>;
      try {
        index = parseIndex(bytes, `index ${descriptor.digest}`);
      } catch (error) {
        findings.add('image', 'corrupt', rel(descriptor.digest), message(error));
        return;
      }
      // A pulled index keeps only the platform that was pulled: absent children are expected.
      for (const child of index.manifests) {
        if (depth < 4 && blobs.sizes.get(child.digest) === child.size) await checkDocument(child, depth + 1);
      }
      return;
    }
    if (isManifestMediaType(descriptor.mediaType)) await checkManifest(descriptor.digest, bytes);
  }

  const tags = await tagFiles(path.join(root, 'refs'));
  for (const file of tags) {
    const where = path.relative(root, file);
    let target: Descriptor;
    try {
      const value = JSON.parse(await readFile(file, 'utf8')) as { target?: unknown };
      target = checkDescriptor(value.target, `tag file ${where}`);
    } catch (error) {
      findings.add('tag', 'corrupt', where, message(error));
      continue;
    }
    const problem = blobProblem(blobs, target.digest, target.size);
    if (problem !== undefined) {
      findings.add('tag', 'corrupt', where, `its target ${problem}`);
      continue;
    }
    if (!isIndexMediaType(target.mediaType) && !isManifestMediaType(target.mediaType)) {
      findings.add(
        'tag',
        'corrupt',
        where,
        `its target has media type ${target.mediaType}, not a manifest or index`,
      );
      continue;
    }
    await checkDocument(target, 0);
  }

  // Untagged images (built without -t, or untagged by rmi) are still held to the same rules.
  for (const [digest, size] of blobs.sizes) {
    if (seen.has(digest) || size > MAX_DOCUMENT) continue;
    const bytes = await read(digest);
    if (bytes[0] !== 0x7b) continue;
    let mediaType: string;
    try {
      const value = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
      if (value.schemaVersion !== 2) continue;
      // The mediaType field is optional in both document kinds: the shape tells them apart.
      mediaType =
        typeof value.mediaType === 'string'
          ? value.mediaType
          : Array.isArray(value.manifests)
            ? OCI_INDEX
            : OCI_MANIFEST;
    } catch {
      continue;
    }
    await checkDocument({ mediaType, digest, size } as Descriptor, 0);
  }
  return { tags: tags.length, manifests, indexes, configs };
}
