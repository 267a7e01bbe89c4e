import { describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { createRuncExecutor, resolveRuntime } from '../../src/executor/index.ts';
import { findExecutable } from '../../src/executor/runtime.ts';
import { hasRunc } from './support/busybox.ts';

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('OCI runtime detection', () => {
  it.skipIf(!hasRunc)('finds runc on PATH by default (needs runc installed)', async () => {
    const runtime = await resolveRuntime();
    expect(runtime.name).toBe('runc');
    expect(runtime.path).toMatch(/\/runc$/);
  });

  it('accepts the path of a runtime binary', async () => {
    const path = await findExecutable('sh');
    expect(path).toBeDefined();
    expect(await resolveRuntime(path!)).toEqual({ name: 'sh', path });
  });

  it('names the Debian package of a missing runtime', async () => {
    const failure = await failureOf(resolveRuntime('crun-not-installed-here'));
    expect(isTsbuildError(failure, 'RUNTIME_MISSING')).toBe(true);
    expect((failure as Error).message).toContain('crun-not-installed-here is not installed');
    expect((failure as { hint?: string }).hint).toContain('apt-get install -y runc');
    const crun = await findExecutable('crun');
    if (crun === undefined) {
      const missingCrun = await failureOf(resolveRuntime('crun'));
      expect((missingCrun as { hint?: string }).hint).toContain('apt-get install -y crun');
    }
  });

  it('refuses a runtime path that is not executable', async () => {
    const failure = await failureOf(resolveRuntime('/nonexistent/bin/runc'));
    expect(isTsbuildError(failure, 'RUNTIME_MISSING')).toBe(true);
    expect((failure as Error).message).toContain('/nonexistent/bin/runc does not exist');
  });

  it('makes run() fail with RUNTIME_MISSING before touching the snapshot', async () => {
    const executor = createRuncExecutor({ root: '/nonexistent-store', runtime: 'no-such-runtime' });
    const snapshot = {
      id: '1',
      kind: 'overlay' as const,
      upperDir: '/nonexistent-store/snapshots/1/fs',
      workDir: '/nonexistent-store/snapshots/1/work',
      lowerDirs: [],
      commit: async () => '1',
      abort: async () => {},
    };
    const failure = await failureOf(
      executor.run({ snapshot, args: ['true'], env: [], cwd: '/', network: 'host' }),
    );
    expect(isTsbuildError(failure, 'RUNTIME_MISSING')).toBe(true);
  });
});
