import { describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { resolveUserSpec } from '../../src/executor/index.ts';
import { GROUP, PASSWD } from './support/busybox.ts';

const resolve = (spec: string | undefined) => resolveUserSpec(spec, PASSWD, GROUP);

describe('resolveUserSpec (USER as Docker resolves it)', () => {
  it.each([
    [undefined, { uid: 0, gid: 0, additionalGids: [], home: '/root' }],
    ['', { uid: 0, gid: 0, additionalGids: [], home: '/root' }],
    ['app', { uid: 1000, gid: 1000, additionalGids: [50, 2000], home: '/home/app' }],
    ['1000', { uid: 1000, gid: 1000, additionalGids: [50, 2000], home: '/home/app' }],
    ['app:extra', { uid: 1000, gid: 2000, additionalGids: [], home: '/home/app' }],
    ['app:50', { uid: 1000, gid: 50, additionalGids: [], home: '/home/app' }],
    ['1000:app', { uid: 1000, gid: 1000, additionalGids: [], home: '/home/app' }],
    ['4321', { uid: 4321, gid: 0, additionalGids: [], home: '/' }],
    ['4321:8765', { uid: 4321, gid: 8765, additionalGids: [], home: '/' }],
    ['nobody', { uid: 65534, gid: 65534, additionalGids: [], home: '/nonexistent' }],
  ])('USER %j', (spec, expected) => {
    expect(resolve(spec)).toEqual(expected);
  });

  it('lists every group naming the user as a member, root included', () => {
    const groups = 'root:x:0:root\nbin:x:1:root,daemon\nwheel:x:10:root\n';
    expect(resolveUserSpec(undefined, 'root:x:0:0::/root:/bin/sh\n', groups).additionalGids).toEqual([
      0, 1, 10,
    ]);
  });

  it('works without /etc/passwd and /etc/group for numeric ids', () => {
    expect(resolveUserSpec('7:8', undefined, undefined)).toEqual({
      uid: 7,
      gid: 8,
      additionalGids: [],
      home: '/',
    });
  });

  it.each([
    ['nosuch', 'unable to find user nosuch'],
    ['app:nogroup-here', 'unable to find group nogroup-here'],
    ['99999999999', 'out of range'],
  ])('rejects USER %j', (spec, message) => {
    let failure: unknown;
    try {
      resolve(spec);
    } catch (error) {
      failure = error;
    }
    expect(isTsbuildError(failure, 'EXECUTOR')).toBe(true);
    expect((failure as Error).message).toContain(message);
  });
});
