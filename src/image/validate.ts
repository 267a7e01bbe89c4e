import { TsbuildError } from '../errors.ts';
import { isDigest } from './digest.ts';
import { isIndexMediaType, isManifestMediaType } from './media-types.ts';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest } from './types.ts';

/**
 * Shape checks for documents read from disk, archives or registries: enough that the code using
 * them cannot be misled (digests are well-formed, sizes are numbers), not a full schema.
 */
function bad(what: string, where: string): never {
  throw new TsbuildError('IMAGE', `invalid ${what} in ${where}`, {
    hint: 'the image or archive is corrupt or not an OCI/Docker image',
  });
}

function parseJson(bytes: Uint8Array | string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new TsbuildError('IMAGE', `${where} is not valid JSON`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    bad('document (not an object)', where);
  return value as Record<string, unknown>;
}

export function checkDescriptor(value: unknown, where: string): Descriptor {
  const d = value as Descriptor | null;
  if (typeof d !== 'object' || d === null) bad('descriptor', where);
  if (typeof d.mediaType !== 'string') bad('descriptor mediaType', where);
  if (!isDigest(d.digest)) bad(`descriptor digest ${JSON.stringify(d.digest)}`, where);
  if (!Number.isSafeInteger(d.size) || d.size < 0) bad('descriptor size', where);
  return d;
}

/** Accepts an OCI or Docker schema 2 manifest; a missing mediaType is read as OCI, as the spec allows. */
export function parseManifest(bytes: Uint8Array | string, where: string): ImageManifest {
  const m = parseJson(bytes, where);
  if (m.schemaVersion !== 2) bad('manifest (schemaVersion is not 2)', where);
  if (m.mediaType !== undefined && !isManifestMediaType(String(m.mediaType))) {
    bad(`manifest media type ${JSON.stringify(m.mediaType)}`, where);
  }
  checkDescriptor(m.config, `${where} (config)`);
  if (!Array.isArray(m.layers)) bad('manifest (layers is not a list)', where);
  m.layers.forEach((l, i) => {
    checkDescriptor(l, `${where} (layer ${i})`);
  });
  return m as unknown as ImageManifest;
}

export function parseIndex(bytes: Uint8Array | string, where: string): ImageIndex {
  const m = parseJson(bytes, where);
  if (m.schemaVersion !== 2) bad('index (schemaVersion is not 2)', where);
  if (m.mediaType !== undefined && !isIndexMediaType(String(m.mediaType))) {
    bad(`index media type ${JSON.stringify(m.mediaType)}`, where);
  }
  if (!Array.isArray(m.manifests)) bad('index (manifests is not a list)', where);
  m.manifests.forEach((d, i) => {
    checkDescriptor(d, `${where} (manifest ${i})`);
  });
  return m as unknown as ImageIndex;
}

export function parseConfig(bytes: Uint8Array | string, where: string): ImageConfig {
  const c = parseJson(bytes, where);
  const rootfs = c.rootfs as { type?: unknown; diff_ids?: unknown } | undefined;
  if (rootfs?.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) bad('config rootfs', where);
  for (const id of rootfs.diff_ids) if (!isDigest(id)) bad(`config diff_id ${JSON.stringify(id)}`, where);
  if (typeof c.os !== 'string' || typeof c.architecture !== 'string') bad('config (os/architecture)', where);
  return c as unknown as ImageConfig;
}
