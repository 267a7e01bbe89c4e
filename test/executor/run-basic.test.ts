import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { CONTAINER_SKIP_REASON, canRunContainers } from './support/busybox.ts';
import { useTestStore } from './support/fixture.ts';
import { runShell } from './support/run.ts';

describe.skipIf(!canRunContainers)(`runc executor: simple RUN (${CONTAINER_SKIP_REASON})`, () => {
  const fixture = useTestStore();

  it('streams stdout and stderr as they are written', async () => {
    const chunks: string[] = [];
    const run = await runShell(fixture.store, fixture.executor, 'echo hello; echo oops >&2', {
      onOutput: (stream, chunk) => chunks.push(`${stream}:${chunk.toString()}`),
    });
    expect(chunks.join('')).toContain('stdout:hello\n');
    expect(chunks.join('')).toContain('stderr:oops\n');
    await run.abort();
  });

  it('returns exit code 0 for a successful step', async () => {
    const snapshot = await fixture.store.snapshotter.prepare(fixture.store.baseId);
    const result = await fixture.executor.run({
      snapshot,
      args: ['/bin/true'],
      env: [],
      cwd: '/',
      network: 'host',
    });
    expect(result).toEqual({ exitCode: 0 });
    await snapshot.abort();
  });

  it('reports a non-zero exit as RUN_FAILED with the command, the code and the last 20 lines', async () => {
    const script = 'for i in $(seq 1 30); do echo line$i; done; exit 3';
    const failure = await runShell(fixture.store, fixture.executor, script).catch((error: unknown) => error);
    expect(isTsbuildError(failure, 'RUN_FAILED')).toBe(true);
    const message = (failure as Error).message;
    expect(message).toContain(`process "/bin/sh -c ${script}" did not complete successfully: exit code: 3`);
    expect(message).toContain('line30');
    expect(message).toContain('line11');
    expect(message).not.toContain('line10\n');
  });

  it('reports a missing executable as RUN_FAILED with the runtime error', async () => {
    const snapshot = await fixture.store.snapshotter.prepare(fixture.store.baseId);
    const failure = await fixture.executor
      .run({ snapshot, args: ['/no/such/binary'], env: [], cwd: '/', network: 'host' })
      .catch((error: unknown) => error);
    await snapshot.abort();
    expect(isTsbuildError(failure, 'RUN_FAILED')).toBe(true);
    expect((failure as Error).message).toContain('/no/such/binary');
  });

  it('leaves exactly the step changes in the upper dir: new file, whiteout, opaque dir', async () => {
    const run = await runShell(
      fixture.store,
      fixture.executor,
      'echo data > /tmp/new.txt && rm /bin/ls && mkdir -p /opt/app && rm -rf /home && mkdir -p /home/other',
    );
    const upper = run.upperDir;
    expect(await readFile(join(upper, 'tmp/new.txt'), 'utf8')).toBe('data\n');
    const whiteout = await lstat(join(upper, 'bin/ls'));
    expect(whiteout.isCharacterDevice() && whiteout.rdev === 0).toBe(true);
    expect((await lstat(join(upper, 'opt/app'))).isDirectory()).toBe(true);
    const { getAttribute } = await import('@napi-rs/xattr');
    expect((await getAttribute(join(upper, 'home'), 'trusted.overlay.opaque'))?.toString()).toBe('y');
    // Mount points made by the runtime (/proc, /dev, /sys, /etc/hosts...) are not part of the diff.
    expect((await readdir(upper)).sort()).toEqual(['bin', 'home', 'opt', 'tmp']);
    expect((await readdir(join(upper, 'bin'))).sort()).toEqual(['ls']);
    await run.abort();
  });

  it('commits a snapshot that the next step sees as its parent', async () => {
    const first = await runShell(fixture.store, fixture.executor, 'echo v1 > /version');
    const firstId = await first.commit();
    const second = await runShell(fixture.store, fixture.executor, 'cat /version; ln -s /version /link', {
      parent: firstId,
    });
    expect(second.output).toBe('v1\n');
    expect(await readlink(join(second.upperDir, 'link'))).toBe('/version');
    await second.abort();
  });

  it('on scratch, keeps no runtime-made /etc, /etc/hosts, /proc, /dev or /sys in the layer', async () => {
    const empty = await fixture.store.snapshotter.prepare(undefined);
    // Nothing to execute on scratch: the runtime still creates every mount point before failing.
    const failure = await fixture.executor
      .run({ snapshot: empty, args: ['/bin/true'], env: [], cwd: '/', network: 'host' })
      .catch((error: unknown) => error);
    expect(isTsbuildError(failure, 'RUN_FAILED')).toBe(true);
    expect((failure as Error).message).toContain('/bin/true');
    expect(await readdir(empty.upperDir)).toEqual([]);
    await empty.abort();
  });
});
