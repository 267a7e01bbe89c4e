import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTAINER_SKIP_REASON, canRunContainers } from './support/busybox.ts';
import { useTestStore } from './support/fixture.ts';
import { expectNoLeftovers } from './support/host-state.ts';
import { runShell } from './support/run.ts';

describe.skipIf(!canRunContainers)(
  `runc executor: heavy steps end cleanly (${CONTAINER_SKIP_REASON})`,
  () => {
    const fixture = useTestStore();

    const expectClean = (marker: string) => expectNoLeftovers(fixture.store.root, marker);

    it('writes 1 GiB into the layer', async () => {
      const run = await runShell(
        fixture.store,
        fixture.executor,
        'dd if=/dev/zero of=/big.bin bs=1048576 count=1024 2>/dev/null && sync && ls -l /big.bin',
      );
      expect((await stat(join(run.upperDir, 'big.bin'))).size).toBe(1024 * 1024 * 1024);
      await run.abort();
      await expectClean('of=/big.bin');
    });

    it('forks 1,000 processes and reaps them all', async () => {
      const marker = `sleep 1.${Math.floor(Math.random() * 1000)}`;
      const script = `i=0; while [ $i -lt 1000 ]; do ${marker} & i=$((i+1)); done; echo forked $i; wait; echo reaped`;
      const run = await runShell(fixture.store, fixture.executor, script);
      expect(run.output).toBe('forked 1000\nreaped\n');
      await run.abort();
      await expectClean(marker);
    });

    it('kills every process of a step that leaves background children behind', async () => {
      const marker = `sleep ${200_000 + Math.floor(Math.random() * 1000)}`;
      const run = await runShell(
        fixture.store,
        fixture.executor,
        `for i in 1 2 3; do ${marker} & done; echo left`,
      );
      expect(run.output).toBe('left\n');
      await run.abort();
      // The pid namespace dies with its first process: nothing the step started survives it.
      await expectClean(marker);
    });
  },
);
