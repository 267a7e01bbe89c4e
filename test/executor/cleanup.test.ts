import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { sweep } from '../../src/executor/index.ts';
import { CONTAINER_SKIP_REASON, canRunContainers } from './support/busybox.ts';
import { useTestStore } from './support/fixture.ts';
import { expectNoLeftovers, processesMatching, runtimeContainers } from './support/host-state.ts';
import { runShell } from './support/run.ts';

const uniqueSeconds = () => 100_000 + Math.floor(Math.random() * 800_000);

describe.skipIf(!canRunContainers)(
  `runc executor: cancellation and crash cleanup (${CONTAINER_SKIP_REASON})`,
  () => {
    const fixture = useTestStore();

    const expectClean = (marker: string) => expectNoLeftovers(fixture.store.root, marker);

    it('kills a never-ending step when its signal aborts, and leaves nothing behind', async () => {
      const marker = `sleep ${uniqueSeconds()}`;
      const controller = new AbortController();
      const failure = await runShell(fixture.store, fixture.executor, `echo started; exec ${marker}`, {
        signal: controller.signal,
        onOutput: (_stream, chunk) => {
          if (chunk.toString().includes('started')) controller.abort();
        },
      }).catch((error: unknown) => error);
      expect(isTsbuildError(failure, 'CANCELLED')).toBe(true);
      await expectClean(marker);
    });

    it('does not start a step whose signal is already aborted', async () => {
      const failure = await runShell(fixture.store, fixture.executor, 'echo never', {
        signal: AbortSignal.abort(),
      }).catch((error: unknown) => error);
      expect(isTsbuildError(failure, 'CANCELLED')).toBe(true);
      await expectClean('echo never');
    });

    it('after SIGKILL of tsbuild mid-RUN, sweep leaves mounts, runc list and the process table clean', async () => {
      const seconds = uniqueSeconds();
      const marker = `sleep ${seconds}`;
      const script = join(import.meta.dirname, 'support', 'long-run.ts');
      const child = spawn(
        process.execPath,
        [script, fixture.store.root, fixture.store.baseId, String(seconds)],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('started')) resolve();
        });
        child.on('exit', (code) => reject(new Error(`long-run exited early with ${code}`)));
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGKILL');
      await exited;

      // The crash left a live container, its bundle and an uncommitted snapshot: the test is real.
      expect(processesMatching(marker)).toHaveLength(1);
      expect(runtimeContainers(join(fixture.store.root, 'run', 'runc'))).toHaveLength(1);
      const before = await fixture.store.snapshotter.list();
      expect(before.filter((info) => info.state === 'active')).toHaveLength(1);

      const report = await sweep({ root: fixture.store.root });

      expect(report.containers).toHaveLength(1);
      expect(report.bundles).toEqual(report.containers);
      expect(report.snapshots).toHaveLength(1);
      await expectClean(marker);
      expect((await fixture.store.snapshotter.list()).map((info) => info.id)).toEqual([fixture.store.baseId]);
    });
  },
);
