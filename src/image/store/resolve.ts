import { TsbuildError } from '../../errors.ts';
import { type Digest, isDigest } from '../digest.ts';
import type { Image } from '../image.ts';
import { isIndexMediaType } from '../media-types.ts';
import { formatPlatform, hostPlatform, platformMatches } from '../platform.ts';
import { familiarName, parseReference, type Reference } from '../reference.ts';
import type { Descriptor, ImageConfig, ImageManifest, Platform } from '../types.ts';
import { loadImage, readIndex } from './documents.ts';
import type { ImageStore } from './store.ts';

export interface ResolvedImage {
  /** The name that matched, when the image was found by name. */
  readonly reference?: Reference;
  /** What the name points at: a manifest, or an index for multi-platform images. */
  readonly target: Descriptor;
  readonly manifestDescriptor: Descriptor;
  readonly manifest: ImageManifest;
  readonly config: ImageConfig;
  /** Image ID as Docker shows it: the config digest. */
  readonly id: Digest;
  readonly image: Image;
}

export interface ResolveOptions {
  /** For names pointing at an index; default: this host's platform. */
  readonly platform?: Platform;
}

function notFound(what: string): TsbuildError {
  return new TsbuildError('IMAGE_NOT_FOUND', `no such image: ${what}`, {
    hint: 'list local images with `tsbuild images`; pull, load or import the image first',
  });
}

/** Picks the manifest for a platform when `target` is an index. */
export async function manifestForPlatform(
  store: ImageStore,
  target: Descriptor,
  platform: Platform = hostPlatform(),
): Promise<Descriptor> {
  if (!isIndexMediaType(target.mediaType)) return target;
  const index = await readIndex(store, target.digest);
  const match = index.manifests.find((m) => platformMatches(platform, m.platform));
  if (!match) {
    const have = index.manifests.map((m) => (m.platform ? formatPlatform(m.platform) : 'unknown')).join(', ');
    throw new TsbuildError(
      'IMAGE_NOT_FOUND',
      `image index ${target.digest} has no ${formatPlatform(platform)} image`,
      {
        hint: `it has: ${have || 'nothing'}`,
      },
    );
  }
  return match;
}

async function complete(
  store: ImageStore,
  target: Descriptor,
  reference: Reference | undefined,
  options: ResolveOptions,
): Promise<ResolvedImage> {
  const manifestDescriptor = await manifestForPlatform(store, target, options.platform);
  const { image, manifest } = await loadImage(store, manifestDescriptor.digest);
  return {
    ...(reference ? { reference } : {}),
    target,
    manifestDescriptor,
    manifest,
    config: image.config,
    id: manifest.config.digest,
    image,
  };
}

async function findById(
  store: ImageStore,
  prefix: string,
  options: ResolveOptions,
): Promise<ResolvedImage | undefined> {
  const hex = prefix.replace(/^sha256:/, '');
  const matches = new Map<Digest, ResolvedImage>();
  for (const entry of await store.refs.list()) {
    const resolved = await complete(store, entry.target, undefined, options).catch(() => undefined);
    if (!resolved) continue;
    const ids = [resolved.id, resolved.manifestDescriptor.digest, entry.target.digest];
    if (ids.some((id) => id.slice(7).startsWith(hex))) matches.set(resolved.id, resolved);
  }
  if (matches.size > 1) {
    throw new TsbuildError(
      'USAGE',
      `image ID prefix "${prefix}" is ambiguous (${matches.size} images match)`,
      {
        hint: 'give more characters of the ID, or a name',
      },
    );
  }
  return [...matches.values()][0];
}

/** A descriptor for a stored manifest or index blob found by digest alone (no tag points at it). */
async function describeDocument(store: ImageStore, digest: Digest): Promise<Descriptor | undefined> {
  if (!(await store.blobs.has(digest))) return undefined;
  const blob = await store.blobs.read(digest);
  let mediaType: unknown;
  try {
    mediaType = (JSON.parse(blob.toString('utf8')) as { mediaType?: unknown }).mediaType;
  } catch {
    return undefined;
  }
  return typeof mediaType === 'string' ? { mediaType, digest, size: blob.byteLength } : undefined;
}

/**
 * Finds an image by name (`busybox`, `me/app:1`, `app@sha256:…`) or by ID (config digest, full or
 * a prefix of at least 4 hex digits), as Docker's image commands accept either.
 */
export async function resolveImage(
  store: ImageStore,
  nameOrId: string,
  options: ResolveOptions = {},
): Promise<ResolvedImage> {
  const idLike = /^(sha256:)?[0-9a-f]{4,64}$/.test(nameOrId);
  if (idLike && (nameOrId.startsWith('sha256:') || nameOrId.length === 64)) {
    const byId = await findById(store, nameOrId, options);
    if (byId) return byId;
    const full = nameOrId.startsWith('sha256:') ? nameOrId : `sha256:${nameOrId}`;
    const desc = isDigest(full) ? await describeDocument(store, full) : undefined;
    if (desc) return complete(store, desc, undefined, options);
    throw notFound(nameOrId);
  }
  let reference: Reference | undefined;
  try {
    reference = parseReference(nameOrId);
  } catch (error) {
    if (!idLike) throw error;
  }
  if (reference) {
    const target = await store.refs.get(reference);
    if (target) return complete(store, target, reference, options);
    const desc =
      reference.digest && reference.tag === undefined && (await describeDocument(store, reference.digest));
    if (desc) return complete(store, desc, reference, options);
  }
  if (idLike) {
    const byId = await findById(store, nameOrId, options);
    if (byId) return byId;
  }
  throw notFound(reference ? familiarName(reference) : nameOrId);
}

/** `tsbuild tag SOURCE TARGET`: TARGET (a name with a tag) points where SOURCE points. */
export async function tagImage(store: ImageStore, source: string, target: string): Promise<Reference> {
  const resolved = await resolveImage(store, source);
  const ref = parseReference(target);
  if (ref.digest) {
    throw new TsbuildError('USAGE', `cannot tag with a digest: "${target}"`, {
      hint: 'give a tag, e.g. app:1.0',
    });
  }
  await store.refs.set(ref, resolved.target);
  return ref;
}
