import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuncExecutor } from '../../src/executor/index.ts';
import { FLATTENED_FROM } from '../../src/executor/snapshot/flatten.ts';
import { CONTAINER_SKIP_REASON, canRunContainers } from './support/busybox.ts';
import { useTestStore } from './support/fixture.ts';
import { runShell } from './support/run.ts';

describe.skipIf(!canRunContainers)(`overlay chains longer than one mount (${CONTAINER_SKIP_REASON})`, () => {
  const fixture = useTestStore();

  async function flattenedSnapshots() {
    return (await fixture.store.snapshotter.list()).filter(
      (info) => info.labels[FLATTENED_FROM] !== undefined,
    );
  }

  it('flattens the lower part of a chain when it has more layers than a mount may take', async () => {
    let parent = fixture.store.baseId;
    const steps = [
      'mkdir /layers && echo 1 > /layers/1',
      'echo 2 > /layers/2 && rm /bin/vi',
      'echo 3 > /layers/3 && mkdir -p /opt/old && echo old > /opt/old/f',
      'echo 4 > /layers/4 && rm -rf /opt && mkdir -p /opt/new',
      'echo 5 > /layers/5',
      'echo 6 > /layers/6',
    ];
    for (const step of steps) {
      const run = await runShell(fixture.store, fixture.executor, step, { parent });
      parent = await run.commit();
    }
    const executor = createRuncExecutor({ root: fixture.store.root, maxMountLayers: 3 });
    const probe = 'cat /layers/*; ls /bin/vi 2>&1; ls /opt; echo step > /step.txt';
    const run = await runShell(fixture.store, executor, probe, { parent });
    expect(run.output).toBe('1\n2\n3\n4\n5\n6\nls: /bin/vi: No such file or directory\nnew\n');
    expect(await readdir(run.upperDir)).toEqual(['step.txt']);
    await run.abort();

    const flattened = await flattenedSnapshots();
    expect(flattened.length).toBeGreaterThan(0);
    const again = await runShell(fixture.store, executor, 'cat /layers/6', { parent });
    expect(again.output).toBe('6\n');
    await again.abort();
    expect((await flattenedSnapshots()).map((info) => info.id)).toEqual(flattened.map((info) => info.id));
  });

  it("mounts a 520-layer chain, past the kernel's 500-layer limit", async () => {
    let parent = fixture.store.baseId;
    for (let i = 0; i < 520; i += 1) {
      const active = await fixture.store.snapshotter.prepare(parent);
      await writeFile(join(active.upperDir, `f${i}`), String(i));
      parent = await active.commit();
    }
    const run = await runShell(fixture.store, fixture.executor, 'cat /f0 /f519; ls / | grep -c "^f"', {
      parent,
    });
    expect(run.output).toBe('0519520\n');
    await run.abort();
  });

  it('removes flattened copies together with the snapshot they were made from', async () => {
    const [copy] = await flattenedSnapshots();
    expect(copy).toBeDefined();
    const source = copy!.labels[FLATTENED_FROM]!;
    const children = (await fixture.store.snapshotter.list()).filter((info) => info.parent === source);
    // Remove the chain above the source first, top down, as garbage collection would.
    const above: string[] = [];
    for (let next = children[0]?.id; next !== undefined; ) {
      above.unshift(next);
      const id: string = next;
      next = (await fixture.store.snapshotter.list()).find((info) => info.parent === id)?.id;
    }
    for (const id of above) await fixture.store.snapshotter.remove(id);
    await fixture.store.snapshotter.remove(source);
    expect((await flattenedSnapshots()).map((info) => info.id)).not.toContain(copy!.id);
  });
});
