/**
 * Reading what a registry returns for a manifest request: OCI and Docker schema 2 image manifests,
 * OCI indexes and Docker manifest lists, told apart and validated by the image module's checks.
 */
import { TsbuildError } from '../errors.ts';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  isIndexMediaType,
  isManifestMediaType,
  OCI_INDEX,
  OCI_MANIFEST,
} from '../image/media-types.ts';
import type { Descriptor } from '../image/types.ts';
import { parseManifest as parseImageManifest, parseIndex } from '../image/validate.ts';

/** Sent as Accept on manifest requests, so registries do not down-convert to schema 1. */
export const MANIFEST_ACCEPT = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST].join(', ');

/** An image manifest or an index as the registry client needs them: validated descriptors. */
export interface RegistryImageManifest {
  readonly kind: 'image';
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export interface RegistryIndex {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
}

export type ParsedManifest = RegistryImageManifest | RegistryIndex;

function parsedJson(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses manifest bytes from a registry. The kind comes from the document's mediaType, else the
 * Content-Type the registry sent, else its shape; `where` names the manifest in error messages.
 */
export function parseManifest(
  bytes: Uint8Array,
  contentType: string | undefined,
  where: string,
): ParsedManifest {
  const doc = parsedJson(bytes);
  if (doc?.schemaVersion === 1) {
    throw new TsbuildError(
      'REGISTRY',
      `${where} is a Docker schema 1 manifest, which tsbuild does not support`,
      {
        hint: 'push the image again with a current client so the registry holds a schema 2 or OCI manifest',
      },
    );
  }
  const headerType = contentType?.split(';')[0]?.trim() ?? '';
  const declared = typeof doc?.mediaType === 'string' ? doc.mediaType : headerType;
  if (isIndexMediaType(declared) || (!isManifestMediaType(declared) && Array.isArray(doc?.manifests))) {
    const index = parseIndex(bytes, where);
    return {
      kind: 'index',
      mediaType: index.mediaType ?? (declared || OCI_INDEX),
      manifests: index.manifests,
    };
  }
  const manifest = parseImageManifest(bytes, where);
  return {
    kind: 'image',
    mediaType: manifest.mediaType ?? (declared || OCI_MANIFEST),
    config: manifest.config,
    layers: manifest.layers,
  };
}
