/**
 * The Builder's automatic GC: after a build that ran steps it prunes least recently used cache
 * records until the store fits its budget; a no-op build triggers nothing; `false` turns it off.
 * The images stay whole (tags keep their blobs) and the store checks clean.
 */
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PruneReport } from '../../src/cache/index.ts';
import {
  checkStore,
  createBuilder,
  diskUsage,
  importImage,
  isCorrupt,
  parseKeepStorage,
} from '../../src/index.ts';
import { E2E_REASON, E2E_SKIP, REPO } from '../support/cli.ts';

describe('parseKeepStorage', () => {
  it('reads decimal and binary sizes and off', () => {
    expect(parseKeepStorage('10GB', 'x')).toBe(10e9);
    expect(parseKeepStorage('512MiB', 'x')).toBe(512 * 2 ** 20);
    expect(parseKeepStorage('1000', 'x')).toBe(1000);
    expect(parseKeepStorage('off', 'x')).toBe(false);
    expect(() => parseKeepStorage('lots', '--gc-keep-storage')).toThrow(
      /--gc-keep-storage: "lots" is not a size/,
    );
  });
});

describe.skipIf(E2E_SKIP)(`automatic GC after builds (${E2E_REASON})`, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsb-autogc-'));
    await cp(join(REPO, 'fixtures/my-httpd'), join(dir, 'ctx'), { recursive: true });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const freshStore = async (name: string) => {
    const root = join(dir, name);
    await importImage(inject('busyboxRootfs'), 'busybox:local', { root });
    return root;
  };

  it('prunes down to the budget after a build that ran steps, keeping the image whole', async () => {
    const root = await freshStore('small');
    const outcomes: { report?: PruneReport; error?: unknown }[] = [];
    const builder = await createBuilder({ root, gcKeepStorage: 1, onGc: (o) => outcomes.push(o) });
    try {
      await writeFile(join(dir, 'ctx/index.html'), '<h1>one</h1>\n');
      const first = await builder.build({ context: join(dir, 'ctx'), tags: ['site:one'] });
      expect(first.steps.some((s) => s.status === 'ran')).toBe(true);
    } finally {
      await builder.close();
    }
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.error).toBeUndefined();
    expect(outcomes[0]!.report!.records).toBeGreaterThan(0);
    const usage = await diskUsage({ root });
    expect(usage.records.count).toBe(0);
    // Only the snapshotter's id counter is left.
    expect(await readdir(join(root, 'snapshots'))).toEqual(['last-id']);
    const report = await checkStore(root);
    expect(isCorrupt(report)).toBe(false);
    // The image is whole: a new Builder rebuilds the same steps (the cache is gone) and the tag resolves.
    const again = await createBuilder({ root, gcKeepStorage: false });
    try {
      const second = await again.build({ context: join(dir, 'ctx'), tags: ['site:one'] });
      expect(second.steps.filter((s) => s.status === 'cached').map((s) => s.name)).toEqual([
        expect.stringContaining('FROM'),
      ]);
    } finally {
      await again.close();
    }
  });

  it('leaves a store under its budget alone, runs nothing after a no-op build, and can be turned off', async () => {
    const root = await freshStore('roomy');
    const outcomes: { report?: PruneReport; error?: unknown }[] = [];
    const builder = await createBuilder({ root, gcKeepStorage: 1e12, onGc: (o) => outcomes.push(o) });
    try {
      await writeFile(join(dir, 'ctx/index.html'), '<h1>two</h1>\n');
      await builder.build({ context: join(dir, 'ctx'), tags: ['site:two'] });
      const noop = await builder.build({ context: join(dir, 'ctx'), tags: ['site:two'] });
      expect(noop.steps.every((s) => s.status === 'cached')).toBe(true);
    } finally {
      await builder.close();
    }
    expect(outcomes).toEqual([{}]);
    const records = (await diskUsage({ root })).records.count;
    expect(records).toBeGreaterThan(0);

    const off = await createBuilder({ root, gcKeepStorage: false, onGc: (o) => outcomes.push(o) });
    try {
      await writeFile(join(dir, 'ctx/index.html'), '<h1>three</h1>\n');
      await off.build({ context: join(dir, 'ctx') });
    } finally {
      await off.close();
    }
    expect(outcomes).toHaveLength(1);
    expect(await readdir(join(root, 'snapshots'))).not.toHaveLength(0);
  });
});
