import { describe, expect, it } from 'vitest';
import {
  addEmptyLayerHistory,
  appendLayer,
  clampImageTimes,
  emptyImage,
  hostPlatform,
  parseConfig,
  parseManifest,
  parseSourceDateEpoch,
  platformMatches,
  serializeImage,
  sha256OfBytes,
  sourceDateEpochFromEnv,
  withContainerConfig,
} from '../../src/image/index.ts';

const layer = {
  descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256OfBytes('l'), size: 1 },
  diffId: sha256OfBytes('l'),
};

describe('image values', () => {
  it('return new values and leave the old ones as they were', () => {
    const base = emptyImage({ sourceDateEpoch: 0, platform: { os: 'linux', architecture: 'arm64' } });
    const frozen = JSON.stringify(base);
    const next = withContainerConfig(appendLayer(base, layer, { created_by: 'RUN x' }), (c) => ({
      ...c,
      Env: ['A=1'],
      Healthcheck: { Test: ['CMD', 'true'], Interval: 30e9 },
      OnBuild: ['RUN y'],
      Shell: ['/bin/bash', '-c'],
      StopSignal: 'SIGTERM',
    }));
    const withMeta = addEmptyLayerHistory(next, { created_by: 'ENV A=1' });
    expect(JSON.stringify(base)).toBe(frozen);
    expect(withMeta.config.rootfs.diff_ids).toEqual([layer.diffId]);
    expect(withMeta.config.history?.map((h) => h.empty_layer ?? false)).toEqual([false, true]);
    expect(withMeta.config).toMatchObject({
      os: 'linux',
      architecture: 'arm64',
      created: '1970-01-01T00:00:00Z',
    });
    const { manifest, config } = serializeImage(withMeta);
    expect(manifest.value.config).toEqual(config.descriptor);
    expect(manifest.value.layers).toEqual([layer.descriptor]);
    expect(parseConfig(config.bytes, 'test').config?.Healthcheck?.Interval).toBe(30e9);
    expect(parseManifest(manifest.bytes, 'test').layers).toHaveLength(1);
  });

  it('clamps config and history timestamps to SOURCE_DATE_EPOCH', () => {
    const image = appendLayer(emptyImage({ now: new Date('2030-01-01T00:00:00Z') }), layer, {
      created: '2030-01-01T00:00:00Z',
    });
    const clamped = clampImageTimes(
      addEmptyLayerHistory(image, { created: '1999-01-01T00:00:00Z' }),
      parseSourceDateEpoch('1000000000'),
    );
    expect(clamped.config.created).toBe('2001-09-09T01:46:40Z');
    expect(clamped.config.history?.map((h) => h.created)).toEqual([
      '2001-09-09T01:46:40Z',
      '1999-01-01T00:00:00Z',
    ]);
  });

  it('reads SOURCE_DATE_EPOCH and explains bad values', () => {
    expect(sourceDateEpochFromEnv({ SOURCE_DATE_EPOCH: '1700000000' })).toBe(1700000000);
    expect(sourceDateEpochFromEnv({ SOURCE_DATE_EPOCH: '' })).toBeUndefined();
    expect(sourceDateEpochFromEnv({})).toBeUndefined();
    expect(() => parseSourceDateEpoch('yesterday')).toThrow(/whole seconds since 1970/);
    expect(() => parseSourceDateEpoch('-5')).toThrow(/invalid SOURCE_DATE_EPOCH/);
  });

  it('validates documents read from outside', () => {
    expect(() => parseManifest('{', 'x')).toThrow(/not valid JSON/);
    expect(() => parseManifest('{"schemaVersion":1}', 'x')).toThrow(/schemaVersion/);
    const badDigest = JSON.stringify({
      schemaVersion: 2,
      config: { mediaType: 'a', digest: 'sha256:zz', size: 1 },
      layers: [],
    });
    expect(() => parseManifest(badDigest, 'm')).toThrow(/descriptor digest/);
    expect(() => parseConfig('{"os":"linux","architecture":"amd64"}', 'c')).toThrow(/rootfs/);
  });

  it('matches platforms, a missing variant matching any', () => {
    expect(hostPlatform().os).toBe(process.platform);
    expect(
      platformMatches(
        { os: 'linux', architecture: 'arm', variant: 'v7' },
        { os: 'linux', architecture: 'arm' },
      ),
    ).toBe(true);
    expect(
      platformMatches(
        { os: 'linux', architecture: 'arm', variant: 'v7' },
        { os: 'linux', architecture: 'arm', variant: 'v6' },
      ),
    ).toBe(false);
    expect(platformMatches({ os: 'linux', architecture: 'amd64' }, undefined)).toBe(false);
  });
});
