import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import {
  createDockerConfigCredentials,
  createStaticCredentials,
  login,
  logout,
  type PullEvent,
  type PushEvent,
  pullImage,
  pushImage,
} from '../../src/registry/index.ts';
import { hasRegistryBinary, startRegistry, type TestRegistry } from '../support/registry.ts';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import { buildTestImage, noise, storePool } from './helpers.ts';

/** Everything a user or a log could see of a failure or of progress events. */
function visible(value: unknown): string {
  return `${inspect(value, { depth: 10 })}\n${JSON.stringify(value) ?? ''}\n${String(value)}`;
}

function expectNoSecret(value: unknown, ...secrets: string[]): void {
  const text = visible(value);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

const basicSecret = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

describe.skipIf(!hasRegistryBinary)('registry auth (needs /usr/bin/docker-registry)', () => {
  let basicRegistry: TestRegistry;
  let openRegistry: TestRegistry;
  let bearer: FaultProxy;
  let dir: string;
  const pool = storePool();
  const bearerUser = { username: 'robot', password: `s3cret-${noise(6, 77).toString('hex')}` };
  let configPath: string;
  const savedPath = process.env.PATH;

  beforeAll(async () => {
    [basicRegistry, openRegistry] = await Promise.all([startRegistry({ auth: 'htpasswd' }), startRegistry()]);
    bearer = await startFaultProxy(openRegistry.host, bearerUser);
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-auth-'));
    configPath = join(dir, 'docker', 'config.json');
    // A credential helper that keeps one login in a file, the protocol docker-credential-* speak.
    const helper = join(dir, 'bin', 'docker-credential-tsbtest');
    await mkdir(join(dir, 'bin'));
    await writeFile(
      helper,
      [
        '#!/bin/sh',
        `store="${join(dir, 'helper-store.json')}"`,
        'case "$1" in',
        '  store) cat > "$store" ;;',
        '  get) read url; if [ -f "$store" ] && grep -q "\\"$url\\"" "$store"; then cat "$store"; else echo "credentials not found in native keychain"; exit 1; fi ;;',
        '  erase) rm -f "$store" ;;',
        'esac',
        '',
      ].join('\n'),
    );
    await chmod(helper, 0o755);
    process.env.PATH = `${join(dir, 'bin')}:${savedPath}`;
  });
  afterAll(async () => {
    process.env.PATH = savedPath;
    await bearer?.close();
    await Promise.all([basicRegistry?.stop(), openRegistry?.stop()]);
    await pool.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('Basic auth (htpasswd)', () => {
    it('refuses anonymous access with an error naming registry and repository and saying to log in', async () => {
      const err = await pullImage((await pool.next()).store, `${basicRegistry.host}/private/app:1`, {
        credentials: createStaticCredentials({}),
      }).catch((e: unknown) => e);
      expect(isTsbuildError(err, 'REGISTRY_AUTH')).toBe(true);
      expect((err as Error).message).toContain(basicRegistry.host);
      expect((err as Error).message).toContain('private/app');
      expect(isTsbuildError(err) && err.hint).toContain(`tsbuild login ${basicRegistry.host}`);
    });

    it('rejects a wrong password at login without writing the config or leaking the password', async () => {
      const wrong = 'not-the-password-123';
      const err = await login(basicRegistry.host, basicRegistry.username!, wrong, { configPath }).catch(
        (e: unknown) => e,
      );
      expect(isTsbuildError(err, 'REGISTRY_AUTH')).toBe(true);
      expectNoSecret(err, wrong, basicSecret(basicRegistry.username!, wrong));
      await expect(stat(configPath)).rejects.toThrow();
    });

    it('logs in (config 0600, base64 auth), pushes and pulls with the saved login, then logs out', async () => {
      const { username, password } = basicRegistry as Required<TestRegistry>;
      await login(basicRegistry.host, username, password, { configPath });
      expect((await stat(configPath)).mode & 0o777).toBe(0o600);
      const saved = JSON.parse(await readFile(configPath, 'utf8'));
      expect(saved.auths[basicRegistry.host].auth).toBe(basicSecret(username, password));

      const credentials = createDockerConfigCredentials({ configPath });
      const source = (await pool.next()).store;
      const manifest = await buildTestImage(source, 'basic:1', [{ f: noise(20_000, 4) }]);
      const ref = `${basicRegistry.host}/private/app:1`;
      const events: (PushEvent | PullEvent)[] = [];
      await pushImage(source, 'basic:1', ref, { credentials, onProgress: (e) => events.push(e) });
      const pulled = await pullImage((await pool.next()).store, ref, {
        credentials,
        onProgress: (e) => events.push(e),
      });
      expect(pulled.manifest.digest).toBe(manifest.digest);
      expectNoSecret(events, password, basicSecret(username, password));

      expect(await logout(basicRegistry.host, { configPath })).toBe(true);
      expect(JSON.parse(await readFile(configPath, 'utf8')).auths[basicRegistry.host]).toBeUndefined();
      const err = await pushImage(source, 'basic:1', ref, { credentials }).catch((e: unknown) => e);
      expect(isTsbuildError(err, 'REGISTRY_AUTH')).toBe(true);
    });

    it('stores and reads logins through a credential helper named in credHelpers', async () => {
      const helperConfig = join(dir, 'helper', 'config.json');
      await mkdir(join(dir, 'helper'));
      await writeFile(helperConfig, JSON.stringify({ credHelpers: { [basicRegistry.host]: 'tsbtest' } }));
      const { username, password } = basicRegistry as Required<TestRegistry>;
      await login(basicRegistry.host, username, password, { configPath: helperConfig });
      const configText = await readFile(helperConfig, 'utf8');
      expect(configText).not.toContain(password);
      expect(configText).not.toContain(basicSecret(username, password));
      expect(await readFile(join(dir, 'helper-store.json'), 'utf8')).toContain(password);

      const source = (await pool.next()).store;
      await buildTestImage(source, 'helper:1', [{ g: 'via helper' }]);
      const ref = `${basicRegistry.host}/helper/app:1`;
      const credentials = createDockerConfigCredentials({ configPath: helperConfig });
      await pushImage(source, 'helper:1', ref, { credentials });
      await pullImage((await pool.next()).store, ref, { credentials });

      await logout(basicRegistry.host, { configPath: helperConfig });
      await expect(stat(join(dir, 'helper-store.json'))).rejects.toThrow();
    });

    it('uses credsStore for every registry without its own helper', async () => {
      const storeConfig = join(dir, 'store', 'config.json');
      await mkdir(join(dir, 'store'));
      await writeFile(storeConfig, JSON.stringify({ credsStore: 'tsbtest' }));
      const { username, password } = basicRegistry as Required<TestRegistry>;
      await login(basicRegistry.host, username, password, { configPath: storeConfig });
      expect(await readFile(storeConfig, 'utf8')).not.toContain(password);
      const found = await createDockerConfigCredentials({ configPath: storeConfig }).get(basicRegistry.host);
      expect(found).toEqual({ kind: 'basic', username, password });
      await logout(basicRegistry.host, { configPath: storeConfig });
      expect(
        await createDockerConfigCredentials({ configPath: storeConfig }).get(basicRegistry.host),
      ).toBeUndefined();
    });
  });

  describe('Bearer token flow', () => {
    it('gets scoped tokens from the realm, caches them, and never sends the password to the registry API', async () => {
      const credentials = createStaticCredentials({ [bearer.host]: { kind: 'basic', ...bearerUser } });
      const source = (await pool.next()).store;
      const manifest = await buildTestImage(source, 'bearer:1', [
        { a: noise(30_000, 8) },
        { b: noise(30_000, 9) },
        { c: noise(30_000, 10) },
      ]);
      const ref = `${bearer.host}/bearer/app:1`;
      await pushImage(source, 'bearer:1', ref, { credentials });
      const seenBefore = bearer.seen.length;
      const pulled = await pullImage((await pool.next()).store, ref, { credentials });
      expect(pulled.manifest.digest).toBe(manifest.digest);
      expect(bearer.issuedScopes).toContainEqual(['repository:bearer/app:pull,push']);
      expect(bearer.issuedScopes).toContainEqual(['repository:bearer/app:pull']);
      const pullRequests = bearer.seen.slice(seenBefore);
      // One token for the whole pull of 5 objects: cached per scope.
      expect(pullRequests.filter((r) => r.path.startsWith('/token'))).toHaveLength(1);
      for (const r of bearer.seen.filter((s) => s.path.startsWith('/v2/'))) {
        expect(r.authorization === undefined || r.authorization.startsWith('Bearer ')).toBe(true);
      }
    });

    it('asks for pull on the source repository when mounting across repositories', async () => {
      const credentials = createStaticCredentials({ [bearer.host]: { kind: 'basic', ...bearerUser } });
      const source = (await pool.next()).store;
      await buildTestImage(source, `${bearer.host}/bearer/base:1`, [{ m: noise(10_000, 12) }]);
      await pushImage(source, `${bearer.host}/bearer/base:1`, undefined, { credentials });
      const events: PushEvent[] = [];
      await pushImage(source, `${bearer.host}/bearer/base:1`, `${bearer.host}/bearer/copy:1`, {
        credentials,
        onProgress: (e) => events.push(e),
      });
      expect(bearer.issuedScopes).toContainEqual([
        'repository:bearer/copy:pull,push',
        'repository:bearer/base:pull',
      ]);
      expect(events.some((e) => e.kind === 'blob-done' && e.outcome === 'mounted')).toBe(true);
    });

    it('trades an identity token for access tokens with the OAuth2 refresh grant', async () => {
      const credentials = createStaticCredentials({
        [bearer.host]: { kind: 'identity-token', username: '<token>', token: bearerUser.password },
      });
      const before = bearer.seen.length;
      const pulled = await pullImage((await pool.next()).store, `${bearer.host}/bearer/app:1`, {
        credentials,
      });
      expect(pulled.layers).toHaveLength(3);
      const tokenCalls = bearer.seen.slice(before).filter((r) => r.path.startsWith('/token'));
      expect(tokenCalls.map((r) => r.method)).toEqual(['POST']);
    });

    it('reports refused credentials as REGISTRY_AUTH without the password anywhere', async () => {
      const wrong = { username: 'robot', password: 'wrong-password-456' };
      const credentials = createStaticCredentials({ [bearer.host]: { kind: 'basic', ...wrong } });
      const err = await pullImage((await pool.next()).store, `${bearer.host}/bearer/app:1`, {
        credentials,
      }).catch((e: unknown) => e);
      expect(isTsbuildError(err, 'REGISTRY_AUTH')).toBe(true);
      expect(isTsbuildError(err) && err.hint).toContain('tsbuild login');
      expectNoSecret(err, wrong.password, basicSecret(wrong.username, wrong.password), bearerUser.password);
      const loginErr = await login(bearer.host, wrong.username, wrong.password, {
        configPath: join(dir, 'never.json'),
      }).catch((e: unknown) => e);
      expect(isTsbuildError(loginErr, 'REGISTRY_AUTH')).toBe(true);
      expectNoSecret(loginErr, wrong.password, basicSecret(wrong.username, wrong.password));
    });
  });
});
