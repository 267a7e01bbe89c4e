/**
 * The image commands as a user types them: images, tag, inspect, history, save and load (file
 * and pipe, both formats), rmi, and push / pull / login / logout against a real loopback registry.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hasRegistryBinary, startRegistry, type TestRegistry } from '../support/registry.ts';
import { runCli } from './run-cli.ts';

const canImport = inject('busyboxRootfs') !== '';

describe.skipIf(!canImport)('image commands (needs busybox-static for the test image)', () => {
  let dir: string;
  const store = () => join(dir, 'store');
  const cli = (args: readonly string[], input?: string | Buffer, root = store()) =>
    runCli(args, { root, ...(input !== undefined && { input }) });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsb-image-cli-'));
    const imported = await cli(['import', '-m', 'test base', inject('busyboxRootfs'), 'busybox:local']);
    expect(imported.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(imported.code).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists, tags, inspects and shows the history of an image', async () => {
    expect((await cli(['tag', 'busybox:local', 'example.com/team/base:1'])).code).toBe(0);
    const table = await cli(['images']);
    expect(table.stdout).toMatch(/^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/m);
    expect(table.stdout).toMatch(/^busybox +local +[0-9a-f]{12} /m);
    expect(table.stdout).toMatch(/^example\.com\/team\/base +1 /m);
    const inspected = JSON.parse((await cli(['inspect', 'busybox:local'])).stdout);
    expect(inspected.repoTags.sort()).toEqual(['busybox:local', 'example.com/team/base:1']);
    expect(inspected.layers).toHaveLength(1);
    const history = await cli(['history', '--format', 'json', 'busybox:local']);
    expect(JSON.parse(history.stdout)[0]).toMatchObject({
      createdBy: 'tsbuild import',
      comment: 'test base',
    });
  });

  it('saves and loads archives through files and pipes', async () => {
    const file = join(dir, 'base.tar');
    expect((await cli(['save', 'busybox:local', '-o', file])).code).toBe(0);
    const loaded = await cli(['load', '-i', file], undefined, join(dir, 'other'));
    expect(loaded.stdout).toBe('Loaded image: busybox:local\n');
    const piped = await cli(['save', '--format', 'oci', '--compression', 'zstd', 'busybox:local']);
    expect(piped.code).toBe(0);
    const fromPipe = await cli(['load'], piped.stdoutBytes, join(dir, 'third'));
    expect(fromPipe.stdout).toBe('Loaded image: busybox:local\n');
    const ids = await Promise.all(
      [store(), join(dir, 'other'), join(dir, 'third')].map(
        async (root) => JSON.parse((await cli(['inspect', 'busybox:local'], undefined, root)).stdout).id,
      ),
    );
    expect(new Set(ids).size).toBe(1);
  });

  it('untags with rmi and deletes the blobs when no name is left', async () => {
    const root = join(dir, 'other');
    expect((await cli(['tag', 'busybox:local', 'copy:1'], undefined, root)).code).toBe(0);
    const untag = await cli(['rmi', 'copy:1'], undefined, root);
    expect(untag.stdout).toBe('Untagged: copy:1\n');
    const last = await cli(['rmi', 'busybox:local'], undefined, root);
    expect(last.stdout).toMatch(/^Untagged: busybox:local\n(Deleted: sha256:[0-9a-f]{64}\n)+$/);
    const gone = await cli(['inspect', 'busybox:local'], undefined, root);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no such image: busybox:local/);
  });

  describe.skipIf(!hasRegistryBinary)('with a registry (docker-registry)', () => {
    let registry: TestRegistry;
    let secured: TestRegistry;
    const savedConfig = process.env.DOCKER_CONFIG;
    beforeAll(async () => {
      registry = await startRegistry();
      secured = await startRegistry({ auth: 'htpasswd' });
      process.env.DOCKER_CONFIG = join(dir, 'docker-config');
    });
    afterAll(async () => {
      await registry?.stop();
      await secured?.stop();
      if (savedConfig === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = savedConfig;
    });

    it('pushes and pulls back the same image', async () => {
      const name = `${registry.host}/test/base:1`;
      const pushed = await cli(['push', 'busybox:local', name]);
      expect(pushed.stdout).toMatch(
        new RegExp(`^${name.replace(/[./]/g, '\\$&')}: digest: sha256:[0-9a-f]{64}\\n$`),
      );
      expect(pushed.code).toBe(0);
      const pulled = await cli(['pull', name], undefined, join(dir, 'pulled'));
      expect(pulled.stdout).toBe(`${name}\n`);
      expect(pulled.stderr).toMatch(/Pull complete/);
      const layers = JSON.parse((await cli(['inspect', name], undefined, join(dir, 'pulled'))).stdout).layers;
      expect(layers).toHaveLength(1);
    });

    it('logs in with --password-stdin, pushes with the login, logs out', async () => {
      const name = `${secured.host}/private/base:1`;
      const denied = await cli(['push', 'busybox:local', name]);
      expect(denied.code).toBe(1);
      const login = await cli(
        ['login', '-u', secured.username!, '--password-stdin', secured.host],
        `${secured.password}\n`,
      );
      expect(login.stdout).toBe('Login Succeeded\n');
      expect(login.stdout + login.stderr).not.toContain(secured.password!);
      expect((await cli(['push', 'busybox:local', name])).code).toBe(0);
      expect((await cli(['logout', secured.host])).stdout).toBe(
        `Removed login credentials for ${secured.host}\n`,
      );
      expect((await cli(['push', 'busybox:local', `${secured.host}/private/other:1`])).code).toBe(1);
    });
  });
});
