import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { sha256OfBytes } from '../../src/image/digest.ts';
import { DOCKER_MANIFEST_LIST } from '../../src/image/media-types.ts';
import { parseReference } from '../../src/image/reference.ts';
import type { Descriptor, Platform } from '../../src/image/types.ts';
import {
  createRegistryClient,
  parsePlatform,
  pullImage,
  pushImage,
  selectPlatform,
} from '../../src/registry/index.ts';
import type { RegistryIndex } from '../../src/registry/manifest.ts';
import { hasRegistryBinary, startRegistry, type TestRegistry } from '../support/registry.ts';
import { buildTestImage, storePool } from './helpers.ts';

const digestOf = (n: number) => sha256OfBytes(String(n));

function indexOf(...platforms: (Platform | undefined)[]): RegistryIndex {
  return {
    kind: 'index',
    mediaType: DOCKER_MANIFEST_LIST,
    manifests: platforms.map((platform, i) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: digestOf(i),
      size: 100,
      ...(platform ? { platform } : {}),
    })),
  };
}

describe('platform choice from an index', () => {
  const index = indexOf(
    { os: 'linux', architecture: 'amd64' },
    { os: 'linux', architecture: 'arm', variant: 'v6' },
    { os: 'linux', architecture: 'arm', variant: 'v7' },
    { os: 'linux', architecture: 'arm64', variant: 'v8' },
    { os: 'unknown', architecture: 'unknown' },
  );
  const pick = (text: string) => selectPlatform(index, parsePlatform(text), 'test index').digest;

  it.each([
    ['linux/amd64', 0],
    ['linux/arm/v6', 1],
    ['linux/arm/v7', 2],
    ['linux/arm', 2],
    ['linux/arm64', 3],
    ['linux/arm64/v8', 3],
    ['linux/aarch64', 3],
    ['linux/x86_64', 0],
  ])('%s picks entry %i', (text, expected) => {
    expect(pick(text)).toBe(digestOf(expected));
  });

  it('fails with the platforms on offer when none matches (attestation entries left out)', () => {
    const err = (() => {
      try {
        pick('linux/s390x');
      } catch (e) {
        return e;
      }
    })();
    expect(isTsbuildError(err, 'REGISTRY_NOT_FOUND')).toBe(true);
    expect(isTsbuildError(err) && err.hint).toBe(
      'it offers: linux/amd64, linux/arm/v6, linux/arm/v7, linux/arm64/v8; choose one with --platform',
    );
  });

  it('rejects a malformed platform', () => {
    expect(() => parsePlatform('linux')).toThrow(/invalid platform "linux"/);
    expect(() => parsePlatform('linux/arm/v7/x')).toThrow(/invalid platform/);
  });
});

describe.skipIf(!hasRegistryBinary)(
  'pulling through a manifest list (needs /usr/bin/docker-registry)',
  () => {
    let registry: TestRegistry;
    const pool = storePool();
    const images = new Map<string, Descriptor>();
    const noCredentials = { get: async () => undefined };

    beforeAll(async () => {
      registry = await startRegistry();
      const source = (await pool.next()).store;
      const platforms: Platform[] = [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64', variant: 'v8' },
      ];
      const entries: Descriptor[] = [];
      for (const platform of platforms) {
        const name = `multi:${platform.architecture}`;
        const manifest = await buildTestImage(
          source,
          name,
          [{ arch: platform.architecture }],
          'gzip',
          platform,
        );
        await pushImage(source, name, `${registry.host}/multi/app:${platform.architecture}`, {
          credentials: noCredentials,
        });
        images.set(platform.architecture, manifest);
        entries.push({ ...manifest, platform });
      }
      const list = Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST_LIST, manifests: entries }),
      );
      const client = createRegistryClient({ registry: registry.host, credentials: noCredentials });
      await client.putManifest('multi/app', 'latest', list, DOCKER_MANIFEST_LIST);
    });
    afterAll(async () => {
      await registry?.stop();
      await pool.cleanup();
    });

    it('takes linux/amd64 by default and the asked platform otherwise', async () => {
      const ref = `${registry.host}/multi/app:latest`;
      const byDefault = await pullImage((await pool.next()).store, ref, { credentials: noCredentials });
      expect(byDefault.manifest.digest).toBe(images.get('amd64')?.digest);
      const store = (await pool.next()).store;
      const arm = await pullImage(store, ref, {
        credentials: noCredentials,
        platform: parsePlatform('linux/arm64'),
      });
      expect(arm.manifest.digest).toBe(images.get('arm64')?.digest);
      expect(arm.resolvedDigest).not.toBe(arm.manifest.digest);
      // The tag points at the platform image that was pulled; the list is kept beside it.
      expect((await store.refs.get(parseReference(ref)))?.digest).toBe(arm.manifest.digest);
      expect(await store.blobs.has(arm.resolvedDigest)).toBe(true);
    });

    it('names the offered platforms when the asked one is missing', async () => {
      const err = await pullImage((await pool.next()).store, `${registry.host}/multi/app:latest`, {
        credentials: noCredentials,
        platform: parsePlatform('linux/ppc64le'),
      }).catch((e: unknown) => e);
      expect(isTsbuildError(err, 'REGISTRY_NOT_FOUND')).toBe(true);
      expect(isTsbuildError(err) && err.hint).toContain('linux/amd64, linux/arm64/v8');
    });
  },
);
