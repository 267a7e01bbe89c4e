/**
 * Issue 3: `--target` builds only what the target needs. A real build with a
 * pruned stage whose base image cannot be pulled: with --target no vertex of
 * the pruned stages starts and their image is never looked up; without it
 * the same Dockerfile fails on that image, which shows the test can fail.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type BuildEvent, type Builder, createBuilder, importImage } from '../../src/index.ts';
import { E2E_REASON, E2E_SKIP } from '../support/cli.ts';

const DOCKERFILE = [
  'FROM registry.invalid/never/pulled:1 AS unreachable',
  'RUN echo unreachable > /unreachable',
  'FROM busybox:local AS needed',
  'RUN echo needed > /needed',
  'FROM busybox:local AS only-for-pruned',
  'RUN echo only-for-pruned > /o',
  'FROM busybox:local AS target',
  'COPY --from=needed /needed /needed',
  'RUN echo target > /target',
  'FROM unreachable AS after',
  'COPY --from=only-for-pruned /o /o',
  'COPY --from=target /target /t',
].join('\n');

describe.skipIf(E2E_SKIP)(`--target pruning in a real build (${E2E_REASON})`, () => {
  let dir: string;
  let builder: Builder;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsb-target-'));
    await writeFile(join(dir, 'Dockerfile'), DOCKERFILE);
    const root = join(dir, 'store');
    await importImage(inject('busyboxRootfs'), 'busybox:local', { root });
    builder = await createBuilder({ root });
  });

  afterAll(async () => {
    await builder?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('runs no vertex of unreachable stages and never resolves their base image', async () => {
    const events: BuildEvent[] = [];
    const result = await builder.build({
      context: dir,
      target: 'target',
      pull: 'never',
      onEvent: (e) => events.push(e),
    });
    const started = events.flatMap((e) => (e.type === 'vertex.started' ? [e.vertex.name] : []));
    expect(started.some((n) => n.includes('echo needed'))).toBe(true);
    expect(started.some((n) => n.includes('echo target'))).toBe(true);
    expect(started.filter((n) => /unreachable|only-for-pruned|never\/pulled/.test(n))).toEqual([]);
    const seen = JSON.stringify(events.filter((e) => e.type !== 'vertex.log'));
    expect(seen).not.toContain('registry.invalid');
    expect(result.steps.map((s) => s.status)).not.toContain('failed');
  });

  it('the same Dockerfile without --target needs the unreachable image and fails on it', async () => {
    await expect(builder.build({ context: dir, pull: 'never' })).rejects.toThrow(/registry\.invalid/);
  });
});
