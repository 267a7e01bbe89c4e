import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { createDockerConfigCredentials } from '../../src/registry/auth/docker-config.ts';
import {
  apiHost,
  authKeyFor,
  isLoopbackHost,
  normaliseAuthKey,
  schemeFor,
} from '../../src/registry/hosts.ts';
import { parseManifest } from '../../src/registry/manifest.ts';
import { createTransport, retryAfterMs } from '../../src/registry/transport.ts';

describe('hosts and schemes', () => {
  it.each([
    ['127.0.0.1:5000', true],
    ['127.10.0.3', true],
    ['localhost:5000', true],
    ['[::1]:5000', true],
    ['::1', true],
    ['128.0.0.1:5000', false],
    ['registry.example.com', false],
    ['localhost.example.com:5000', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it('speaks plain HTTP only to loopback and named insecure registries', () => {
    expect(schemeFor('127.0.0.1:5000', [])).toBe('http');
    expect(schemeFor('ghcr.io', [])).toBe('https');
    expect(schemeFor('build.lan:5000', [])).toBe('https');
    expect(schemeFor('build.lan:5000', ['build.lan:5000'])).toBe('http');
    expect(schemeFor('build.lan:5000', ['build.lan'])).toBe('http');
    expect(schemeFor('other.lan:5000', ['build.lan'])).toBe('https');
  });

  it('maps Docker Hub to its API host and legacy credential key', () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiHost('ghcr.io')).toBe('ghcr.io');
    expect(authKeyFor('docker.io')).toBe('https://index.docker.io/v1/');
    expect(normaliseAuthKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normaliseAuthKey('http://reg.lan:5000/v2/')).toBe('reg.lan:5000');
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', now)).toBe(5000);
  });
});

describe('manifest parsing', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const image = { schemaVersion: 2, config: { mediaType: 'c', digest, size: 2 }, layers: [] };

  it('takes the kind from the document, else from Content-Type', () => {
    expect(parseManifest(Buffer.from(JSON.stringify(image)), undefined, 'x').kind).toBe('image');
    const index = { schemaVersion: 2, manifests: [{ mediaType: 'm', digest, size: 1 }] };
    const parsed = parseManifest(
      Buffer.from(JSON.stringify(index)),
      'application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8',
      'x',
    );
    expect(parsed).toMatchObject({
      kind: 'index',
      mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
    });
  });

  it('refuses schema 1 with a message saying so', () => {
    const err = (() => {
      try {
        parseManifest(Buffer.from('{"schemaVersion":1,"fsLayers":[]}'), undefined, 'reg/app:old');
      } catch (e) {
        return e;
      }
    })();
    expect(isTsbuildError(err, 'REGISTRY')).toBe(true);
    expect((err as Error).message).toBe(
      'reg/app:old is a Docker schema 1 manifest, which tsbuild does not support',
    );
  });

  it('refuses descriptors with bad digests', () => {
    const bad = { ...image, config: { mediaType: 'c', digest: 'md5:abc', size: 2 } };
    expect(() => parseManifest(Buffer.from(JSON.stringify(bad)), undefined, 'x')).toThrow(/digest/);
  });
});

describe('Docker config credentials', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-dockercfg-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads base64 auth, legacy URL keys and identity tokens', async () => {
    const path = join(dir, 'config.json');
    await writeFile(
      path,
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
          'http://reg.lan:5000/v1/': { auth: Buffer.from('lan:pa:ss').toString('base64') },
          'tok.example.com': { auth: Buffer.from('<token>:').toString('base64'), identitytoken: 'refresh-1' },
        },
      }),
    );
    const source = createDockerConfigCredentials({ configPath: path });
    expect(await source.get('docker.io')).toEqual({
      kind: 'basic',
      username: 'hubuser',
      password: 'hubpass',
    });
    expect(await source.get('reg.lan:5000')).toEqual({ kind: 'basic', username: 'lan', password: 'pa:ss' });
    expect(await source.get('tok.example.com')).toEqual({
      kind: 'identity-token',
      username: '<token>',
      token: 'refresh-1',
    });
    expect(await source.get('unknown.example.com')).toBeUndefined();
  });

  it('treats a missing file as no credentials and a broken one as an error that does not echo it', async () => {
    expect(
      await createDockerConfigCredentials({ configPath: join(dir, 'absent.json') }).get('x'),
    ).toBeUndefined();
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"auths": {"x": {"auth": "c2VjcmV0OnNlY3JldA=="}');
    const err = await createDockerConfigCredentials({ configPath: broken })
      .get('x')
      .catch((e: unknown) => e);
    expect(isTsbuildError(err, 'REGISTRY_AUTH')).toBe(true);
    expect(String((err as Error).message)).not.toContain('c2VjcmV0');
  });
});

describe('transport timeouts on streamed uploads', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(201).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A body that sends `chunks` pieces `gapMs` apart, then optionally stalls forever. */
  function slowBody(chunks: number, gapMs: number, stall: boolean): Readable {
    let sent = 0;
    return new Readable({
      read() {
        if (sent === chunks) {
          if (!stall) this.push(null);
          return;
        }
        setTimeout(() => {
          sent++;
          this.push(Buffer.alloc(1024, sent));
        }, gapMs);
      },
    });
  }

  it('lets an upload run past the timeout while its bytes keep moving', async () => {
    const transport = createTransport({ timeoutMs: 300, retries: 0 });
    const res = await transport.send({ method: 'PUT', url, body: () => slowBody(8, 100, false) });
    expect(res.status).toBe(201);
    await res.discard();
  });

  it('fails an upload that stalls', async () => {
    const transport = createTransport({ timeoutMs: 300, retries: 0 });
    const err = await transport
      .send({ method: 'PUT', url, body: () => slowBody(2, 50, true) })
      .catch((e: unknown) => e);
    expect(isTsbuildError(err, 'REGISTRY')).toBe(true);
    expect((err as Error).message).toMatch(/timed out after 300 ms/);
  });
});
