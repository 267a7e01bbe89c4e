import { describe, expect, it } from 'vitest';
import { familiarName, formatReference, parseReference } from '../../src/image/index.ts';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['index.docker.io/library/busybox:x', 'docker.io/library/busybox:x', 'busybox:x'],
    ['me/app', 'docker.io/me/app:latest', 'me/app:latest'],
    ['localhost/app', 'localhost/app:latest', 'localhost/app:latest'],
    ['localhost:5000/app:v1', 'localhost:5000/app:v1', 'localhost:5000/app:v1'],
    ['127.0.0.1:5000/a/b/c:t', '127.0.0.1:5000/a/b/c:t', '127.0.0.1:5000/a/b/c:t'],
    ['[::1]:5000/app', '[::1]:5000/app:latest', '[::1]:5000/app:latest'],
    ['ghcr.io/org/app_x.y-z:1.0_rc', 'ghcr.io/org/app_x.y-z:1.0_rc', 'ghcr.io/org/app_x.y-z:1.0_rc'],
    [`busybox@${D}`, `docker.io/library/busybox@${D}`, `busybox@${D}`],
    [`busybox:1@${D}`, `docker.io/library/busybox:1@${D}`, `busybox:1@${D}`],
  ])('%s → %s', (input, full, familiar) => {
    const ref = parseReference(input);
    expect(formatReference(ref)).toBe(full);
    expect(familiarName(ref)).toBe(familiar);
  });

  it('keeps a digest-only reference untagged', () => {
    expect(parseReference(`app@${D}`).tag).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['Busybox', /lowercase/],
    ['busybox:', /tag ""/],
    ['busybox:-x', /tag "-x"/],
    [`busybox:${'t'.repeat(129)}`, /tag/],
    ['busybox@sha256:123', /not a sha256 digest/],
    ['a//b', /path component ""/],
    ['a/b_-c', /path component "b_-c"/],
    ['-bad', /path component/],
    ['bad_host:99x/app', /registry host|path component/],
    [`x/${'a'.repeat(256)}`, /longer than 255/],
  ])('rejects %j with a reason', (input, reason) => {
    expect(() => parseReference(input)).toThrow(reason);
  });
});
