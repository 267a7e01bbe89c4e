/**
 * checkStore on a store made through the library: clean, it reports nothing; each kind of
 * damage is reported at the file at fault, with the right severity, and nothing else.
 */
import { mkdir, readFile, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCacheStore } from '../../src/cache/index.ts';
import { checkStore, formatCheckReport, isCorrupt, type StoreProblem } from '../../src/check/index.ts';
import { tempDirsForEachTest } from '../cache/tmp.ts';
import { keyOf, makeSmallStore, type SmallStore } from './support/small-store.ts';

const blobFile = (s: SmallStore, digest: string) => path.join(s.root, 'blobs', 'sha256', digest.slice(7));
const recordFile = (s: SmallStore, key: string) =>
  path.join(s.root, 'cache', 'records', key.slice(7, 9), `${key.slice(7)}.json`);
const metaFile = (s: SmallStore, id: string) => path.join(s.root, 'snapshots', id, 'meta.json');
/** A pid that is not running (pid_max is far below this). */
const DEAD_PID = 2 ** 22 + 17;

function brief(problems: readonly StoreProblem[]): string[] {
  return problems.map((p) => `${p.severity} ${p.path}: ${p.message}`);
}

describe('checkStore', () => {
  const tempDir = tempDirsForEachTest();
  let s: SmallStore;

  beforeEach(async () => {
    s = await makeSmallStore(await tempDir('tsbuild-check-'));
  });
  afterEach(async () => {
    await rm(s.root, { recursive: true, force: true });
  });

  it('finds nothing wrong in a store as a build leaves it, and counts what it checked', async () => {
    const report = await checkStore(s.root);
    expect(brief(report.problems)).toEqual([]);
    expect(isCorrupt(report)).toBe(false);
    expect(report.counts).toMatchObject({
      blobs: 4,
      manifests: 1,
      configs: 1,
      tags: 1,
      records: 2,
      snapshots: 2,
    });
    expect(report.counts.blobBytes).toBeGreaterThan(2048);
    expect(formatCheckReport(report)).toContain('no problems found');
  });

  it('reports a blob whose bytes changed, and every manifest and record that relies on it', async () => {
    const file = blobFile(s, s.layers[1]!);
    const bytes = await readFile(file);
    bytes[600] = bytes[600]! ^ 0xff;
    await writeFile(file, bytes);
    const report = await checkStore(s.root);
    const rel = (d: string) => `blobs/sha256/${d.slice(7)}`;
    const problems = brief(report.problems);
    expect(problems).toHaveLength(3);
    expect(problems).toContainEqual(
      expect.stringMatching(
        new RegExp(`^corrupt ${rel(s.layers[1]!)}: content hashes to sha256:[0-9a-f]{64} \\(\\d+ bytes\\)$`),
      ),
    );
    expect(problems).toContainEqual(`corrupt ${rel(s.manifest)}: its layer 1 ${s.layers[1]} is corrupt`);
    expect(problems).toContainEqual(
      `corrupt ${path.relative(s.root, recordFile(s, s.keys[1]!))}: its layer blob ${s.layers[1]} is corrupt`,
    );
    expect(isCorrupt(report)).toBe(true);
    expect(formatCheckReport(report)).toMatch(/^CORRUPT blobs\/sha256\//m);
  });

  it('reports a truncated blob and a missing config', async () => {
    await truncate(blobFile(s, s.layers[0]!), 100);
    await rm(blobFile(s, s.config));
    const problems = brief((await checkStore(s.root)).problems);
    expect(problems).toContainEqual(expect.stringMatching(/content hashes to .* \(100 bytes\)$/));
    expect(problems).toContainEqual(
      `corrupt blobs/sha256/${s.manifest.slice(7)}: its config ${s.config} is missing`,
    );
    expect(problems).toContainEqual(
      expect.stringContaining(`layer 0 of its result: blob ${s.layers[0]} is corrupt`),
    );
  });

  it('reports tags that are not JSON, name no descriptor, or point at nothing', async () => {
    const tags = path.join(s.root, 'refs', 'docker.io', 'library', 'small', '_tags');
    await writeFile(path.join(tags, 'garbage'), '{"target": ');
    await writeFile(
      path.join(tags, 'nodigest'),
      JSON.stringify({ target: { mediaType: 'x', digest: 'md5:1', size: 1 } }),
    );
    const missing = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: keyOf('nothing'),
      size: 10,
    };
    await writeFile(path.join(tags, 'missing'), JSON.stringify({ target: missing }));
    const problems = brief((await checkStore(s.root)).problems);
    const at = 'corrupt refs/docker.io/library/small/_tags';
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^${at}/garbage: .*JSON`)),
      `${at}/missing: its target ${missing.digest} is missing`,
      expect.stringMatching(new RegExp(`^${at}/nodigest: invalid descriptor digest "md5:1"`)),
    ]);
  });

  it('reports a config that lists the wrong number of diff ids', async () => {
    const config = JSON.parse(await readFile(blobFile(s, s.config), 'utf8'));
    config.rootfs.diff_ids.push(s.layers[0]);
    const { openImageStore, parseReference } = await import('../../src/image/index.ts');
    const store = await openImageStore(s.root);
    const bytes = Buffer.from(JSON.stringify(config));
    const stored = await store.blobs.put(bytes);
    const manifest = JSON.parse(await readFile(blobFile(s, s.manifest), 'utf8'));
    manifest.config = { ...manifest.config, digest: stored.digest, size: stored.size };
    const m = await store.blobs.put(Buffer.from(JSON.stringify(manifest)));
    await store.refs.set(parseReference('small:bad'), {
      mediaType: manifest.mediaType,
      digest: m.digest,
      size: m.size,
    });
    expect(brief((await checkStore(s.root)).problems)).toEqual([
      `corrupt blobs/sha256/${m.digest.slice(7)}: its config ${stored.digest} lists 3 diff ids for 2 layers`,
    ]);
  });

  it('reports records whose snapshot is gone, uncommitted or of another chain, or filed under another key', async () => {
    const cache = await openCacheStore(s.root);
    const first = await cache.get(s.keys[0]!);
    await cache.put(keyOf('gone'), {
      ...first!,
      snapshotId: '999',
      result: { layers: [], snapshotId: '999' },
    });
    await cache.put(keyOf('other chain'), { ...first!, snapshotId: s.snapshots[1]! });
    const meta = JSON.parse(await readFile(metaFile(s, s.snapshots[1]!), 'utf8'));
    await mkdir(path.dirname(recordFile(s, keyOf('misfiled'))), { recursive: true });
    await writeFile(recordFile(s, keyOf('misfiled')), JSON.stringify({ ...first, key: keyOf('elsewhere') }));
    const problems = brief((await checkStore(s.root)).problems);
    const rec = (k: string) => `corrupt ${path.relative(s.root, recordFile(s, keyOf(k)))}`;
    expect(problems).toEqual(
      [
        `${rec('gone')}: its snapshot 999 is missing or not committed`,
        `${rec('other chain')}: its snapshot ${s.snapshots[1]} has chain id ${meta.chainId}, its layers make ${s.layers[0]}`,
        `${rec('misfiled')}: record of key "${keyOf('elsewhere')}" filed under another key`,
      ].sort((a, b) => a.split(':')[0]!.localeCompare(b.split(':')[0]!)),
    );
  });

  it('reports snapshot metadata that is unreadable, a broken parent chain and a missing fs dir', async () => {
    const [bottom, top] = s.snapshots as [string, string];
    await writeFile(metaFile(s, bottom), '{"id":');
    const problems = brief((await checkStore(s.root)).problems);
    expect(problems).toContainEqual(
      expect.stringMatching(new RegExp(`^corrupt snapshots/${bottom}/meta.json: unreadable`)),
    );
    expect(problems).toContainEqual(
      `corrupt snapshots/${top}: its parent chain reaches snapshot ${bottom}, which is not committed`,
    );
    await writeFile(
      metaFile(s, bottom),
      JSON.stringify({ id: bottom, parent: top, state: 'committed', chainId: s.layers[0] }),
    );
    expect(brief((await checkStore(s.root)).problems)).toContainEqual(
      `corrupt snapshots/${bottom}: its parent chain loops at snapshot ${bottom}`,
    );
    await rm(path.join(s.root, 'snapshots', top, 'fs'), { recursive: true });
    expect(brief((await checkStore(s.root)).problems)).toContainEqual(
      `corrupt snapshots/${top}: committed snapshot without its fs dir`,
    );
  });

  it('lists crash debris as leftovers, not corruption, and ignores what live processes own', async () => {
    const old = new Date(Date.now() - 60_000);
    await writeFile(path.join(s.root, 'ingest', `${DEAD_PID}-abc-blob`), 'partial');
    await writeFile(path.join(s.root, 'ingest', `${process.pid}-abc-blob`), 'in progress');
    await mkdir(path.join(s.root, 'tmp', `${DEAD_PID}-export`), { recursive: true });
    await mkdir(path.join(s.root, 'run', 'tsb-1'), { recursive: true });
    await writeFile(
      path.join(s.root, 'run', 'tsb-1', 'owner.json'),
      JSON.stringify({ pid: DEAD_PID, startTime: '1' }),
    );
    await mkdir(path.join(s.root, 'locks', 'key-x.lock'), { recursive: true });
    await utimes(path.join(s.root, 'locks', 'key-x.lock'), old, old);
    await mkdir(path.join(s.root, 'snapshots', `.new-${DEAD_PID}-1-ab`), { recursive: true });
    await writeFile(`${recordFile(s, s.keys[0]!)}.1234`, '{');
    const report = await checkStore(s.root);
    expect(isCorrupt(report)).toBe(false);
    expect(report.problems.map((p) => `${p.severity} ${p.path}`)).toEqual(
      [
        `leftover ingest/${DEAD_PID}-abc-blob`,
        `leftover tmp/${DEAD_PID}-export`,
        'leftover run/tsb-1',
        'leftover locks/key-x.lock',
        `leftover snapshots/.new-${DEAD_PID}-1-ab`,
        `leftover ${path.relative(s.root, recordFile(s, s.keys[0]!))}.1234`,
      ].sort(),
    );
    expect(formatCheckReport(report)).toContain('6 leftovers of a crashed process');
  });
});
