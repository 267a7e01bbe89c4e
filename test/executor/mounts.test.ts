import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { pruneCacheMounts } from '../../src/executor/index.ts';
import { tryHold } from '../../src/executor/mounts/holders.ts';
import type { MountRequest } from '../../src/executor/types.ts';
import { CONTAINER_SKIP_REASON, canRunContainers } from './support/busybox.ts';
import { useTestStore } from './support/fixture.ts';
import { runShell, type ShellOptions } from './support/run.ts';

async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const content = await readFile(path).catch(() => Buffer.alloc(0));
    if (content.includes(needle)) hits.push(path);
  }
  return hits;
}

describe.skipIf(!canRunContainers)(`runc executor: RUN --mount (${CONTAINER_SKIP_REASON})`, () => {
  const fixture = useTestStore();
  let hostDir: string;

  beforeAll(async () => {
    hostDir = await mkdtemp(join(tmpdir(), 'tsbuild-mount-src-'));
    await mkdir(join(hostDir, 'sub'));
    await writeFile(join(hostDir, 'sub', 'file.txt'), 'from the context\n');
    await writeFile(join(hostDir, 'seed.txt'), 'seed\n');
  });
  afterAll(async () => {
    await rm(hostDir, { recursive: true, force: true });
  });

  async function run(script: string, mounts: readonly MountRequest[], options: ShellOptions = {}) {
    const result = await runShell(fixture.store, fixture.executor, script, { ...options, mounts });
    const upper = await readdir(result.upperDir);
    await result.abort();
    return { output: result.output, upper };
  }

  describe('type=cache', () => {
    it('persists across steps and never enters the layer', async () => {
      const cache: MountRequest = { type: 'cache', target: '/var/cache/thing', id: 'persist' };
      const first = await run('echo one >> /var/cache/thing/log', [cache]);
      expect(first.upper).toEqual([]);
      const second = await run('echo two >> /var/cache/thing/log; cat /var/cache/thing/log', [cache]);
      expect(second.output).toBe('one\ntwo\n');
      expect(second.upper).toEqual([]);
      const keys = await readdir(join(fixture.store.root, 'cache', 'mounts'));
      expect(keys.length).toBeGreaterThan(0);
    });

    it('keys caches by id, defaulting to the target', async () => {
      await run('echo a > /c/f', [{ type: 'cache', target: '/c', id: 'key-a' }]);
      const other = await run('cat /c/f 2>&1 || echo empty', [{ type: 'cache', target: '/c', id: 'key-b' }]);
      expect(other.output).toBe("cat: can't open '/c/f': No such file or directory\nempty\n");
      await run('echo t > /by-target/f', [{ type: 'cache', target: '/by-target' }]);
      const again = await run('cat /by-target/f', [{ type: 'cache', target: '/by-target' }]);
      expect(again.output).toBe('t\n');
    });

    it('creates a new cache dir with mode, uid and gid', async () => {
      const { output } = await run('stat -c "%a %u:%g" /owned', [
        { type: 'cache', target: '/owned', id: 'owned', mode: 0o700, uid: 1000, gid: 2000 },
      ]);
      expect(output).toBe('700 1000:2000\n');
    });

    it('seeds a new cache dir from from=/source=', async () => {
      const { output } = await run('cat /seeded/file.txt', [
        { type: 'cache', target: '/seeded', id: 'seeded', from: [hostDir], source: 'sub' },
      ]);
      expect(output).toBe('from the context\n');
    });

    it('is read-only when asked', async () => {
      const { output } = await run('touch /ro/x 2>&1; true', [
        { type: 'cache', target: '/ro', id: 'readonly', readonly: true },
      ]);
      expect(output).toContain('Read-only file system');
    });

    it('prune removes cache dirs nobody holds and keeps held ones', async () => {
      const cache: MountRequest = { type: 'cache', target: '/pr', id: 'prune-me' };
      await run('echo x > /pr/f', [cache]);
      const base = join(fixture.store.root, 'cache', 'mounts');
      const keys = await readdir(base);
      const heldDir = join(base, keys[0]!, '0');
      const held = await tryHold(heldDir, 'shared');
      expect(held).toBeDefined();
      const removed = await pruneCacheMounts({ root: fixture.store.root });
      expect(removed).toBe(keys.length - 1);
      expect(await readdir(base)).toEqual([keys[0]]);
      await held?.release();
      expect(await pruneCacheMounts({ root: fixture.store.root })).toBe(1);
      expect(await readdir(base)).toEqual([]);
    });

    it('sharing=locked runs users one at a time', async () => {
      const cache: MountRequest = { type: 'cache', target: '/l', id: 'locked', sharing: 'locked' };
      const step = 'echo start >> /l/log; sleep 0.3; echo end >> /l/log';
      await Promise.all([run(step, [cache]), run(step, [cache]), run(step, [cache])]);
      const { output } = await run('cat /l/log', [cache]);
      expect(output).toBe('start\nend\n'.repeat(3));
    });

    it('sharing=private gives concurrent users different dirs', async () => {
      const cache: MountRequest = { type: 'cache', target: '/p', id: 'private', sharing: 'private' };
      const step = 'echo $$ > /p/me; sleep 0.3; cat /p/me; ls /p | wc -l';
      const results = await Promise.all([run(step, [cache]), run(step, [cache])]);
      for (const result of results) expect(result.output.split('\n')[1]).toBe('1');
      const keyDirs = await readdir(join(fixture.store.root, 'cache', 'mounts'));
      const instanceCounts = await Promise.all(
        keyDirs.map(async (key) =>
          (await readdir(join(fixture.store.root, 'cache', 'mounts', key))).filter((name) =>
            /^[0-9]+$/.test(name),
          ),
        ),
      );
      expect(instanceCounts.some((names) => names.length === 2)).toBe(true);
    });
  });

  describe('type=secret', () => {
    const value = `s3cr3t-${Math.random().toString(36).slice(2)}`;

    it('mounts the secret as a read-only file at /run/secrets/<id> without touching the store', async () => {
      const { output, upper } = await run('cat /run/secrets/token; stat -c "%a %u" /run/secrets/token', [
        { type: 'secret', id: 'token', value: Buffer.from(value) },
      ]);
      expect(output).toBe(`${value}400 0\n`);
      expect(upper).toEqual([]);
      expect(await filesContaining(fixture.store.root, value)).toEqual([]);
    });

    it('honours target, mode, uid and gid', async () => {
      const { output } = await run(
        'stat -c "%a %u:%g" /secret.txt; cat /secret.txt',
        [
          {
            type: 'secret',
            id: 'x',
            value: Buffer.from(value),
            target: '/secret.txt',
            mode: 0o440,
            uid: 1000,
            gid: 50,
          },
        ],
        { user: 'app' },
      );
      expect(output).toBe(`440 1000:50\n${value}`);
    });

    it('sets the secret as an environment variable that is never written to disk', async () => {
      let scan: Promise<string[]> | undefined;
      const { output } = await run(
        'echo "$TOKEN"; echo ready; sleep 0.5',
        [{ type: 'secret', id: 'env', value: Buffer.from(value), env: 'TOKEN' }],
        {
          onOutput: (_stream, chunk) => {
            // While the step runs: its spec (with the env) must not be anywhere in the store.
            if (chunk.toString().includes('ready')) scan = filesContaining(fixture.store.root, value);
          },
        },
      );
      expect(output).toBe(`${value}\nready\n`);
      expect(scan).toBeDefined();
      expect(await scan).toEqual([]);
    });

    it('fails a required secret that was not provided, and skips an optional one', async () => {
      const failure = await run('true', [
        { type: 'secret', id: 'missing', value: undefined, required: true },
      ]).catch((error: unknown) => error);
      expect(isTsbuildError(failure, 'EXECUTOR')).toBe(true);
      expect((failure as Error).message).toContain('Secret missing is required');
      const optional = await run('ls /run/secrets 2>&1 || echo none', [
        { type: 'secret', id: 'opt', value: undefined },
      ]);
      expect(optional.output).toContain('none');
    });
  });

  describe('type=bind', () => {
    it('mounts a host dir read-only, with source= selecting a subpath', async () => {
      const { output, upper } = await run('cat /src/file.txt; touch /src/new 2>&1; true', [
        { type: 'bind', target: '/src', from: [hostDir], source: 'sub' },
      ]);
      expect(output).toContain('from the context\n');
      expect(output).toContain('Read-only file system');
      expect(upper).toEqual([]);
    });

    it('allows writes with rw but discards them', async () => {
      const { output } = await run(
        'echo changed > /src/sub/file.txt; echo new > /src/new; cat /src/sub/file.txt',
        [{ type: 'bind', target: '/src', from: [hostDir], readwrite: true }],
      );
      expect(output).toBe('changed\n');
      expect(await readFile(join(hostDir, 'sub', 'file.txt'), 'utf8')).toBe('from the context\n');
      expect(await readdir(hostDir)).not.toContain('new');
    });

    it('mounts the merged view of a snapshot chain (a stage or image)', async () => {
      const layer = await runShell(fixture.store, fixture.executor, 'echo stage > /stage.txt; rm /bin/vi');
      const stageId = await layer.commit();
      const from = await fixture.store.snapshotter.lowerDirs(stageId);
      const { output } = await run('cat /stage/stage.txt; ls /stage/bin/vi 2>&1; ls /stage/bin/sh', [
        { type: 'bind', target: '/stage', from },
      ]);
      expect(output).toContain('stage\n');
      expect(output).toContain('ls: /stage/bin/vi: No such file or directory');
      expect(output).toContain('/stage/bin/sh\n');
    });

    it('fails with a clear error when the source does not exist', async () => {
      const failure = await run('true', [
        { type: 'bind', target: '/x', from: [hostDir], source: 'nope' },
      ]).catch((error: unknown) => error);
      expect(isTsbuildError(failure, 'EXECUTOR')).toBe(true);
      expect((failure as Error).message).toContain('source path nope does not exist');
    });
  });

  it('type=tmpfs mounts a sized tmpfs that leaves nothing in the layer', async () => {
    const { output, upper } = await run('grep " /scratch " /proc/mounts; echo x > /scratch/f', [
      { type: 'tmpfs', target: '/scratch', sizeBytes: 1024 * 1024 },
    ]);
    expect(output).toMatch(/^tmpfs \/scratch tmpfs .*size=1024k/);
    expect(upper).toEqual([]);
  });

  it('type=ssh forwards connections to the agent socket and sets SSH_AUTH_SOCK', async () => {
    const agentDir = await mkdtemp(join(tmpdir(), 'tsbuild-agent-'));
    const agentPath = join(agentDir, 'agent.sock');
    const agent = createServer((socket) => socket.end('agent says hi'));
    await new Promise<void>((resolve) => agent.listen(agentPath, resolve));
    let exchange: Promise<string> | undefined;
    try {
      const { output } = await run(
        'echo "$SSH_AUTH_SOCK"; stat -c "%F %a %u" "$SSH_AUTH_SOCK"; echo ready; sleep 0.5',
        [{ type: 'ssh', socket: agentPath, uid: 1000 }],
        {
          onOutput: (_stream, chunk) => {
            if (!chunk.toString().includes('ready')) return;
            exchange = (async () => {
              const runDir = join(fixture.store.root, 'run');
              const entries = await readdir(runDir, { recursive: true });
              const socket = entries.find((entry) => entry.endsWith('agent.sock'));
              if (socket === undefined) return 'no proxy socket';
              const client = connect(join(runDir, socket));
              const chunks: Buffer[] = [];
              client.on('data', (data: Buffer) => chunks.push(data));
              await new Promise((resolve) => client.on('close', resolve));
              return Buffer.concat(chunks).toString();
            })();
          },
        },
      );
      expect(output).toBe('/run/buildkit/ssh_agent.0\nsocket 600 1000\nready\n');
      expect(await exchange).toBe('agent says hi');
    } finally {
      agent.close();
      await rm(agentDir, { recursive: true, force: true });
    }
  });
});
