/** `tsbuild check` as a user runs it: exit 0 on a sound store, 1 naming the damage, 2 without a store. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDirsForEachTest } from '../cache/tmp.ts';
import { tsbuild } from '../support/cli.ts';
import { makeSmallStore } from './support/small-store.ts';

describe('tsbuild check', () => {
  const tempDir = tempDirsForEachTest();

  it('exits 0 on a sound store and 1 when a blob is corrupt, naming it (text and JSON)', async () => {
    const s = await makeSmallStore(await tempDir('tsbuild-check-cli-'));
    const sound = await tsbuild(['check'], { root: s.root });
    expect(sound.stderr).toBe('');
    expect(sound.stdout).toContain('no problems found');
    expect(sound.code).toBe(0);

    const file = path.join(s.root, 'blobs', 'sha256', s.config.slice(7));
    await writeFile(file, (await readFile(file, 'utf8')).replace('"os"', '"OS"'));
    const damaged = await tsbuild(['check'], { root: s.root });
    expect(damaged.code).toBe(1);
    expect(damaged.stdout).toMatch(
      new RegExp(`^CORRUPT blobs/sha256/${s.config.slice(7)}: content hashes to`, 'm'),
    );
    expect(damaged.stdout).toContain(`its config ${s.config} is corrupt`);

    const json = await tsbuild(['check', '--format', 'json'], { root: s.root });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { problems: { path: string; severity: string }[] };
    expect(report.problems.map((p) => `${p.severity} ${p.path}`)).toContain(
      `corrupt blobs/sha256/${s.config.slice(7)}`,
    );
  });

  it('exits 2 with a hint when there is no store at the root', async () => {
    const missing = path.join(await tempDir('tsbuild-check-cli-'), 'nothing-here');
    const result = await tsbuild(['check'], { root: missing });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`there is no store at ${missing}`);
    expect(result.stderr).toContain('--root');
  });
});
