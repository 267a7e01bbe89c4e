import type { Digest } from '../digest.ts';
import { familiarName, familiarRepository, formatReference } from '../reference.ts';
import type { ContainerConfig, Descriptor, History, ImageConfig, ImageManifest } from '../types.ts';
import { type ResolvedImage, resolveImage } from './resolve.ts';
import type { ImageStore } from './store.ts';

/** One row of `tsbuild images`. */
export interface ImageSummary {
  readonly repository: string;
  /** `<none>` for names pinned by digest only. */
  readonly tag: string;
  /** Manifest (or index) digest the name points at. */
  readonly digest: Digest;
  /** Config digest, as Docker shows image IDs. */
  readonly id: Digest;
  readonly created: string | undefined;
  /** Bytes of the image's (uncompressed) layers. */
  readonly size: number;
}

/** Code-unit order (not the locale's), so listings are the same on every machine. */
function order(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function layersSize(manifest: ImageManifest): number {
  return manifest.layers.reduce((sum, l) => sum + l.size, 0);
}

/** Every named image, newest first. Names whose blobs are missing are skipped, not fatal. */
export async function listImages(store: ImageStore): Promise<readonly ImageSummary[]> {
  const rows: ImageSummary[] = [];
  for (const entry of await store.refs.list()) {
    const resolved = await resolveImage(store, formatReference(entry.reference)).catch(() => undefined);
    if (!resolved) continue;
    rows.push({
      repository: familiarRepository(entry.reference),
      tag: entry.reference.tag ?? '<none>',
      digest: entry.target.digest,
      id: resolved.id,
      created: resolved.config.created,
      size: layersSize(resolved.manifest),
    });
  }
  return rows.sort(
    (a, b) =>
      order(b.created ?? '', a.created ?? '') || order(a.repository, b.repository) || order(a.tag, b.tag),
  );
}

export interface LayerInfo {
  readonly descriptor: Descriptor;
  readonly diffId: Digest | undefined;
}

/** `tsbuild inspect`: what `docker image inspect` shows, plus the manifest itself. */
export interface ImageInspect {
  readonly id: Digest;
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  readonly created: string | undefined;
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly author?: string;
  readonly config: ContainerConfig;
  readonly size: number;
  readonly manifestDigest: Digest;
  readonly manifest: ImageManifest;
  readonly imageConfig: ImageConfig;
  readonly layers: readonly LayerInfo[];
  readonly history: readonly History[];
}

async function namesOf(store: ImageStore, resolved: ResolvedImage) {
  const tags: string[] = [];
  const digests: string[] = [];
  for (const entry of await store.refs.list()) {
    const target = entry.target.digest;
    if (target !== resolved.target.digest && target !== resolved.manifestDescriptor.digest) continue;
    if (entry.reference.tag !== undefined) tags.push(familiarName({ ...entry.reference, digest: undefined }));
    const repo = familiarRepository(entry.reference);
    const pinned = `${repo}@${target}`;
    if (!digests.includes(pinned)) digests.push(pinned);
  }
  return { tags, digests };
}

export async function inspectImage(store: ImageStore, nameOrId: string): Promise<ImageInspect> {
  const resolved = await resolveImage(store, nameOrId);
  const { config, manifest } = resolved;
  const names = await namesOf(store, resolved);
  return {
    id: resolved.id,
    repoTags: names.tags,
    repoDigests: names.digests,
    created: config.created,
    architecture: config.architecture,
    os: config.os,
    ...(config.variant ? { variant: config.variant } : {}),
    ...(config.author ? { author: config.author } : {}),
    config: config.config ?? {},
    size: layersSize(manifest),
    manifestDigest: resolved.manifestDescriptor.digest,
    manifest,
    imageConfig: config,
    layers: manifest.layers.map((descriptor, i) => ({ descriptor, diffId: config.rootfs.diff_ids[i] })),
    history: config.history ?? [],
  };
}

/** One row of `tsbuild history`, newest first as Docker prints it. */
export interface HistoryRow {
  /** diff_id of the layer this step made; undefined for metadata-only steps. */
  readonly layer: Digest | undefined;
  readonly created: string | undefined;
  readonly createdBy: string;
  readonly size: number;
  readonly comment: string;
  readonly emptyLayer: boolean;
}

export async function imageHistory(store: ImageStore, nameOrId: string): Promise<readonly HistoryRow[]> {
  const { config, manifest } = await resolveImage(store, nameOrId);
  const rows: HistoryRow[] = [];
  let layerIndex = 0;
  for (const h of config.history ?? []) {
    const empty = h.empty_layer === true;
    const layer = empty ? undefined : manifest.layers[layerIndex];
    rows.push({
      layer: empty ? undefined : config.rootfs.diff_ids[layerIndex],
      created: h.created,
      createdBy: h.created_by ?? '',
      size: layer?.size ?? 0,
      comment: h.comment ?? '',
      emptyLayer: empty,
    });
    if (!empty) layerIndex++;
  }
  return rows.reverse();
}
