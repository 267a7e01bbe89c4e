/**
 * One Builder serving 8 builds at once, as a build server (and `tsbuild serve`) uses it: every
 * build succeeds, builds of the same inputs share their steps (each step runs once), and builds
 * of different inputs get their own images.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type BuildEvent, createBuilder, importImage } from '../../src/index.ts';
import { E2E_REASON, E2E_SKIP, REPO } from '../support/cli.ts';

describe.skipIf(E2E_SKIP)(`one Builder, 8 concurrent builds (${E2E_REASON})`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsb-shared-'));
    await importImage(inject('busyboxRootfs'), 'busybox:local', { root: join(dir, 'store') });
    for (const name of ['same', 'a', 'b', 'c', 'd']) {
      await cp(join(REPO, 'fixtures/my-httpd'), join(dir, name), { recursive: true });
      if (name !== 'same') await writeFile(join(dir, name, 'index.html'), `<h1>${name}</h1>\n`);
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs them together, sharing identical steps', async () => {
    const builder = await createBuilder({ root: join(dir, 'store') });
    const contexts = ['same', 'same', 'same', 'same', 'a', 'b', 'c', 'd'];
    const events: BuildEvent[][] = contexts.map(() => []);
    try {
      const results = await Promise.all(
        contexts.map((name, i) =>
          builder.build({
            context: join(dir, name),
            tags: [`site-${name}:${i}`],
            sourceDateEpoch: 1_700_000_000,
            onEvent: (e) => events[i]!.push(e),
          }),
        ),
      );
      expect(results).toHaveLength(8);
      const ids = results.map((r) => r.imageId);
      expect(new Set(ids.slice(0, 4)).size).toBe(1);
      expect(new Set(ids).size).toBe(5);

      // The RUN of the four identical builds ran once; the other three waited for it (shared) or hit
      // the cache; each build of other inputs ran its own.
      const runs = (i: number) =>
        events[i]!.filter(
          (e) => e.type === 'vertex.started' && !e.shared && e.vertex.name.includes('RUN echo'),
        ).length;
      const shared = (i: number) =>
        events[i]!.filter(
          (e) =>
            (e.type === 'vertex.started' && e.shared) ||
            (e.type === 'vertex.cached' && e.vertex.name.includes('RUN')),
        ).length;
      expect([0, 1, 2, 3].map(runs).reduce((a, b) => a + b, 0)).toBe(1);
      expect([0, 1, 2, 3].map(shared).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3);
      for (const i of [4, 5, 6, 7]) expect(runs(i)).toBe(1);
    } finally {
      await builder.close();
    }
  });
});
