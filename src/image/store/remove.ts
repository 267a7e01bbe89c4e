import { TsbuildError } from '../../errors.ts';
import type { Digest } from '../digest.ts';
import { familiarName, formatReference } from '../reference.ts';
import { compressedForms, deleteBlobs, liveBlobs } from './gc.ts';
import type { RefEntry } from './ref-store.ts';
import { resolveImage } from './resolve.ts';
import type { ImageStore } from './store.ts';

/** What `tsbuild rmi` prints, as Docker does: `Untagged: busybox:latest`, `Deleted: sha256:…`. */
export type RemoveEvent = { readonly untagged: string } | { readonly deleted: Digest };

export interface RemoveOptions {
  /** Remove by ID even when several names point at the image (untags them all). */
  readonly force?: boolean;
}

/**
 * `docker rmi`: by name, untags that name; by ID, untags every name (refusing when there are
 * several, unless forced). When no name is left on the image, its blobs that nothing else
 * references (other images, cache records declared through `store.gcRoots`) are deleted.
 */
export async function removeImage(
  store: ImageStore,
  nameOrId: string,
  options: RemoveOptions = {},
): Promise<readonly RemoveEvent[]> {
  const resolved = await resolveImage(store, nameOrId);
  const targets = new Set([resolved.target.digest, resolved.manifestDescriptor.digest]);
  const entries = await store.refs.list();
  const onImage = entries.filter((e) => targets.has(e.target.digest));
  const named = resolved.reference
    ? onImage.filter((e) => formatReference(e.reference) === formatReference(resolved.reference!))
    : [];
  let untag: RefEntry[] = named;
  if (named.length === 0) {
    untag = onImage;
    if (onImage.length > 1 && !options.force) {
      throw new TsbuildError(
        'USAGE',
        `image ${resolved.id.slice(7, 19)} is referenced by ${onImage.length} names (${onImage
          .map((e) => familiarName(e.reference))
          .join(', ')}); remove them by name, or force`,
      );
    }
  }
  const events: RemoveEvent[] = [];
  for (const entry of untag) {
    if (await store.refs.delete(entry.reference)) events.push({ untagged: familiarName(entry.reference) });
  }
  if (onImage.length > untag.length) return events;
  const live = await liveBlobs(store);
  const layers = new Set(resolved.manifest.layers.map((l) => l.digest));
  const own = [
    resolved.manifest.config.digest,
    ...layers,
    ...(await compressedForms(store, layers)),
    ...targets,
  ];
  const { removed } = await deleteBlobs(
    store,
    [...new Set(own)].filter((d) => !live.has(d)),
  );
  for (const digest of removed) events.push({ deleted: digest });
  return events;
}
