/** Build records: every step's full log kept under the store, read back by build and step, pruned. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Builder,
  type BuildResult,
  createBuildRecorder,
  listBuildRecords,
  pruneBuildRecords,
  readBuildRecord,
  readStepLog,
  TsbuildError,
  withBuildRecords,
} from '../../src/index.ts';
import { failed, finished, RUN } from './events.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tsb-records-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const result: BuildResult = {
  buildId: 'b-1',
  imageId: 'sha256:abc123',
  manifestDigest: 'sha256:def456',
  tags: ['my-httpd:latest'],
  steps: [],
  warnings: [],
  durationMs: 2100,
};

describe('build records', () => {
  it('keeps each step log whole, numbered as the plain output', async () => {
    const recorder = createBuildRecorder(root);
    for (const e of finished) recorder.onEvent(e);
    await recorder.finish({ result });
    const record = await readBuildRecord(root, 'latest');
    expect(record).toMatchObject({
      id: 'b-1',
      status: 'completed',
      imageId: 'sha256:abc123',
      tags: ['my-httpd:latest'],
    });
    expect(record.steps.map((s) => [s.n, s.status])).toEqual([
      [1, 'done'],
      [2, 'cached'],
      [3, 'cached'],
      [4, 'done'],
      [5, 'done'],
      [6, 'done'],
    ]);
    const run = await readStepLog(root, record, '5');
    expect(run.step.name).toBe(RUN.name);
    expect(run.log).toBe('compiling part 1\ncompiling part 2\npartial\n');
    expect((await readStepLog(root, record, 'RUN echo')).step.n).toBe(5);
    expect(await readdir(join(root, 'builds'))).toEqual(['b-1']);
  });

  it('records failures with the error at the end of the failing step', async () => {
    const recorder = createBuildRecorder(root);
    for (const e of failed) recorder.onEvent(e);
    await recorder.finish({ error: new TsbuildError('RUN_FAILED', 'RUN exited with code 2') });
    const record = await readBuildRecord(root, 'b-');
    expect(record.status).toBe('failed');
    expect(record.error).toBe('RUN exited with code 2');
    const { log } = await readStepLog(root, record, '5');
    expect(log).toMatch(/make: \*\*\* \[all\] Error 2\n\nERROR: RUN exited with code 2\n$/);
  });

  it('finds builds by prefix and says what to do when it cannot', async () => {
    await expect(readBuildRecord(root, 'nope')).rejects.toThrow(/no build record nope/);
    await expect(readStepLog(root, { ...emptyRecord(), steps: [] }, '9')).rejects.toThrow(/no single step/);
  });

  it('wraps a Builder so each build is recorded, and prunes records', async () => {
    const fake: Builder = {
      root,
      close: async () => {},
      build: async (options) => {
        for (const e of finished) options.onEvent?.(e);
        return result;
      },
    };
    const seen: string[] = [];
    await withBuildRecords(fake).build({ context: '.', onEvent: (e) => seen.push(e.type) });
    expect(seen).toHaveLength(finished.length);
    expect((await listBuildRecords(root)).map((r) => r.id)).toEqual(['b-1']);
    expect(await pruneBuildRecords(root, { olderThanMs: 60_000 })).toBe(0);
    expect(await pruneBuildRecords(root)).toBe(1);
    expect(await listBuildRecords(root)).toEqual([]);
  });
});

function emptyRecord() {
  return {
    id: 'x',
    startedAt: '',
    durationMs: 0,
    status: 'completed' as const,
    dockerfile: 'Dockerfile',
    tags: [],
  };
}
