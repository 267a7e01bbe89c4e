import { describe, expect, it } from 'vitest';
import { CONTAINER_SKIP_REASON, canRunContainers } from './support/busybox.ts';
import { useTestStore } from './support/fixture.ts';
import { runShell } from './support/run.ts';
import { describeTree } from './support/tree.ts';

const STEP = [
  'echo data > /tmp/new.txt',
  'rm /bin/ls',
  'chmod 700 /home/app',
  'rm -rf /root && mkdir -p /root/fresh',
  'mkdir -p /opt/a/b && ln -s /opt/a /opt/link',
  'rm /bin/vi && mkdir /bin/vi',
].join(' && ');

describe.skipIf(!canRunContainers)(
  `copy snapshots keep the upper-dir-as-diff contract (${CONTAINER_SKIP_REASON})`,
  () => {
    const overlay = useTestStore('overlay');
    const copy = useTestStore('copy');

    it('reports its kind', async () => {
      expect((await copy.store.snapshotter.resolveKind()).kind).toBe('copy');
    });

    it('leaves the same diff as overlayfs for the same step', async () => {
      const [withOverlay, withCopy] = await Promise.all([
        runShell(overlay.store, overlay.executor, STEP),
        runShell(copy.store, copy.executor, STEP),
      ]);
      const expected = await describeTree(withOverlay.upperDir);
      expect(expected).toContain('c /bin/ls 0');
      expect(expected).toContain('d /root 755 0:0 opaque');
      expect(await describeTree(withCopy.upperDir)).toEqual(expected);
      await Promise.all([withOverlay.abort(), withCopy.abort()]);
    });

    it('builds the next step on committed copy snapshots, whiteouts and opaque dirs applied', async () => {
      const first = await runShell(copy.store, copy.executor, STEP);
      const parent = await first.commit();
      const second = await runShell(
        copy.store,
        copy.executor,
        'ls /bin/ls 2>&1; ls /root; cat /tmp/new.txt; [ -d /bin/vi ] && echo vi-is-dir; echo more > /more',
        { parent },
      );
      expect(second.output).toBe('ls: /bin/ls: No such file or directory\nfresh\ndata\nvi-is-dir\n');
      expect(await describeTree(second.upperDir)).toEqual(['f /more 644 0:0 5']);
      await second.abort();
    });

    it('creates WORKDIR and drops runtime mount points, as with overlay', async () => {
      const run = await runShell(copy.store, copy.executor, 'touch here', { cwd: '/srv/app', user: 'app' });
      expect(await describeTree(run.upperDir)).toEqual([
        'd /srv 755 1000:1000',
        'd /srv/app 755 1000:1000',
        'f /srv/app/here 644 1000:1000 0',
      ]);
      await run.abort();
    });
  },
);
