import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { createRuncExecutor } from '../../src/executor/index.ts';
import type { Executor } from '../../src/executor/types.ts';
import {
  CONTAINER_SKIP_REASON,
  canRunContainers,
  createTestStore,
  type TestStore,
} from './support/busybox.ts';

describe.skipIf(!canRunContainers)(`runc executor: simple RUN (${CONTAINER_SKIP_REASON})`, () => {
  let store: TestStore;
  let executor: Executor;

  beforeAll(async () => {
    store = await createTestStore();
    executor = createRuncExecutor({ root: store.root });
  });
  afterAll(async () => {
    await store?.cleanup();
  });

  async function runShell(script: string, parent = store.baseId) {
    const snapshot = await store.snapshotter.prepare(parent);
    const output: string[] = [];
    try {
      const result = await executor.run(
        { snapshot, args: ['/bin/sh', '-c', script], env: [], cwd: '/', network: 'host' },
        { onOutput: (stream, chunk) => output.push(`${stream}:${chunk.toString()}`) },
      );
      return { snapshot, result, output: output.join('') };
    } catch (error) {
      await snapshot.abort();
      throw error;
    }
  }

  it('streams stdout and stderr and returns exit code 0', async () => {
    const { snapshot, result, output } = await runShell('echo hello; echo oops >&2');
    expect(result.exitCode).toBe(0);
    expect(output).toContain('stdout:hello\n');
    expect(output).toContain('stderr:oops\n');
    await snapshot.abort();
  });

  it('reports a non-zero exit as RUN_FAILED with the command, the code and the last 20 lines', async () => {
    const script = 'for i in $(seq 1 30); do echo line$i; done; exit 3';
    const failure = await runShell(script).catch((error: unknown) => error);
    expect(isTsbuildError(failure, 'RUN_FAILED')).toBe(true);
    const message = (failure as Error).message;
    expect(message).toContain(`process "/bin/sh -c ${script}" did not complete successfully: exit code: 3`);
    expect(message).toContain('line30');
    expect(message).toContain('line11');
    expect(message).not.toContain('line10\n');
  });

  it('leaves exactly the step changes in the upper dir', async () => {
    const { snapshot } = await runShell('echo data > /tmp/new.txt && rm /bin/ls && mkdir -p /opt/app');
    const upper = snapshot.upperDir;
    expect(await readFile(join(upper, 'tmp/new.txt'), 'utf8')).toBe('data\n');
    const whiteout = await lstat(join(upper, 'bin/ls'));
    expect(whiteout.isCharacterDevice() && whiteout.rdev === 0).toBe(true);
    expect((await lstat(join(upper, 'opt/app'))).isDirectory()).toBe(true);
    // Mount points made by the runtime (/proc, /dev, /sys, /etc/hosts...) are not part of the diff.
    expect((await readdir(upper)).sort()).toEqual(['bin', 'opt', 'tmp']);
    expect((await readdir(join(upper, 'bin'))).sort()).toEqual(['ls']);
    await snapshot.abort();
  });

  it('commits a snapshot that the next step sees as its parent', async () => {
    const first = await runShell('echo v1 > /version');
    const firstId = await first.snapshot.commit();
    const second = await runShell('cat /version; ln -s /version /link', firstId);
    expect(second.output).toContain('stdout:v1\n');
    expect(await readlink(join(second.snapshot.upperDir, 'link'))).toBe('/version');
    await second.snapshot.abort();
  });
});
