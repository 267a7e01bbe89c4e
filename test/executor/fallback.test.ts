import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_SKIP_REASON, canRunContainers } from './support/busybox.ts';

const execFileAsync = promisify(execFile);

describe.skipIf(!canRunContainers)(`automatic copy fallback (${CONTAINER_SKIP_REASON})`, () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-fallback-'));
    await Promise.all(['lower', 'upper', 'work', 'merged'].map((name) => mkdir(join(dir, name))));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses copy snapshots, and says why, when the store sits on overlayfs', async () => {
    const child = join(import.meta.dirname, 'support', 'fallback-child.ts');
    // The store's overlay exists only in this private namespace: nothing to unmount afterwards.
    const script = [
      `mount -t overlay overlay -o lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work ${dir}/merged`,
      `exec "$0" ${child} ${dir}/merged/store`,
    ].join(' && ');
    const { stdout } = await execFileAsync('unshare', [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      script,
      process.execPath,
    ]);
    const result = JSON.parse(stdout) as {
      decision: { kind: string; reason: string };
      kind: string;
      diff: string[];
      layer: string[];
      next: string;
    };
    expect(result.decision.kind).toBe('copy');
    expect(result.decision.reason).toContain('overlay mount failed');
    expect(result.kind).toBe('copy');
    // overlayfs refuses 0/0 devices, so the deletion is recorded in overlay's xattr whiteout form.
    expect(result.diff).toEqual(['d /bin 755 0:0', 'w /bin/ls', 'f /hello 644 0:0 3']);
    expect(result.layer).toEqual(['bin/', 'bin/.wh.ls', 'hello']);
    expect(result.next).toBe('ls: /bin/ls: No such file or directory\nhi\n');
  });
});
