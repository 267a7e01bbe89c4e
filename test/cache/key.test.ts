import { describe, expect, it } from 'vitest';
import { computeCacheKey } from '../../src/cache/index.ts';
import { isTsbuildError } from '../../src/errors.ts';

const run = { op: 'exec', args: ['/bin/sh', '-c', 'make'], env: ['PATH=/bin'], workdir: '/src', user: '' };

describe('computeCacheKey', () => {
  it('is a sha256 key that ignores property order and undefined fields', () => {
    const key = computeCacheKey(run, ['sha256:parent']);
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    const reordered = {
      user: '',
      workdir: '/src',
      env: ['PATH=/bin'],
      args: run.args,
      op: 'exec',
      shell: undefined,
    };
    expect(computeCacheKey(reordered, ['sha256:parent'])).toBe(key);
  });

  it('changes with the definition, the inputs, their order and the content checksum', () => {
    const key = computeCacheKey(run, ['sha256:a', 'sha256:b'], 'sha256:content');
    expect(
      computeCacheKey({ ...run, env: ['PATH=/usr/bin'] }, ['sha256:a', 'sha256:b'], 'sha256:content'),
    ).not.toBe(key);
    expect(computeCacheKey(run, ['sha256:b', 'sha256:a'], 'sha256:content')).not.toBe(key);
    expect(computeCacheKey(run, ['sha256:a', 'sha256:b'], 'sha256:other')).not.toBe(key);
    expect(computeCacheKey(run, ['sha256:a', 'sha256:b'])).not.toBe(key);
  });

  it('refuses definitions that are not JSON data, naming where', () => {
    const error = (() => {
      try {
        computeCacheKey({ op: 'exec', limits: { cpus: Number.NaN } }, []);
      } catch (e) {
        return e;
      }
    })();
    expect(isTsbuildError(error, 'CACHE')).toBe(true);
    expect((error as Error).message).toContain('definition.limits.cpus');
  });
});
