/**
 * `type=registry`: the cache as one manifest in a registry repository, pushed and pulled with
 * the registry client (auth, retries, verification and cross-repository HEAD checks included).
 */
import { isTsbuildError } from '../../errors.ts';
import { type ImageManifest, OCI_MANIFEST, type Platform, parseReference } from '../../image/index.ts';
import {
  createDockerConfigCredentials,
  createRegistryClient,
  type FetchedManifest,
  pushBlob,
  type RegistryAccessOptions,
  selectPlatform,
} from '../../registry/index.ts';
import { createLocalTarget } from './local-target.ts';
import type { CacheTarget } from './target.ts';

export interface RegistryTargetOptions extends RegistryAccessOptions {
  /** Which manifest of a multi-platform index to read (an image with inline cache). */
  readonly platform: Platform;
}

export function createRegistryTarget(refText: string, options: RegistryTargetOptions): CacheTarget {
  const ref = parseReference(refText);
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const where = `registry ${ref.registry}/${ref.repository}:${reference}`;
  const client = createRegistryClient({
    registry: ref.registry,
    credentials: options.credentials ?? createDockerConfigCredentials(),
    insecureRegistries: options.insecureRegistries ?? [],
    ...(options.transport !== undefined && { transport: options.transport }),
  });

  const fetchManifest = async (name: string, signal?: AbortSignal): Promise<FetchedManifest | undefined> => {
    try {
      return await client.getManifest(ref.repository, name, signal);
    } catch (err) {
      if (isTsbuildError(err, 'REGISTRY_NOT_FOUND')) return undefined;
      throw err;
    }
  };

  return {
    where,
    async readManifest(signal) {
      let fetched = await fetchManifest(reference, signal);
      if (fetched?.manifest.kind === 'index') {
        const chosen = selectPlatform(fetched.manifest, options.platform, where);
        fetched = await fetchManifest(chosen.digest, signal);
      }
      if (fetched === undefined || fetched.manifest.kind !== 'image') return undefined;
      const { mediaType, config, layers } = fetched.manifest;
      return { schemaVersion: 2, mediaType, config, layers } satisfies ImageManifest;
    },
    readBlob: (blob, signal) => client.getBlob(ref.repository, blob, signal === undefined ? {} : { signal }),
    async writeBlob(blob, open, signal) {
      await pushBlob(
        client,
        ref.repository,
        { descriptor: blob, open },
        signal === undefined ? {} : { signal },
      );
    },
    async writeManifest(bytes, mediaType = OCI_MANIFEST, signal) {
      await client.putManifest(ref.repository, reference, bytes, mediaType, signal);
    },
  } satisfies CacheTarget;
}

/** The target a spec names: a directory (`dest=`/`src=`) or a registry reference (`ref=`). */
export function openTarget(
  where:
    | { readonly type: 'local'; readonly dir: string; readonly tag: string }
    | { readonly type: 'registry'; readonly ref: string },
  options: RegistryTargetOptions,
): CacheTarget {
  return where.type === 'local'
    ? createLocalTarget(where.dir, where.tag)
    : createRegistryTarget(where.ref, options);
}
