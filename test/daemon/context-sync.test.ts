/**
 * The daemon's context mirror: the client's walk honours .dockerignore, the plan sends only what
 * changed, and applying the diff (a layer with whiteouts) makes the mirror equal to the context
 * while unchanged files keep their inodes (so the stat cache still knows them).
 */
import { mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readIgnoreFile } from '../../src/builder/context.ts';
import { packContextDiff } from '../../src/daemon/context-pack.ts';
import { walkContext } from '../../src/daemon/context-walk.ts';
import { createContextMirrors, planAgainst } from '../../src/daemon/mirror.ts';
import { applyLayer } from '../../src/image/index.ts';

let dir: string;
let context: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsb-mirror-'));
  context = join(dir, 'context');
  await mkdir(join(context, 'src/lib'), { recursive: true });
  await mkdir(join(context, 'node_modules/x'), { recursive: true });
  await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
  await writeFile(join(context, 'src/main.ts'), 'main\n');
  await writeFile(join(context, 'src/lib/util.ts'), 'util\n');
  await writeFile(join(context, 'node_modules/x/index.js'), 'x\n');
  await writeFile(join(context, 'notes.md'), 'notes\n');
  await symlink('src/main.ts', join(context, 'entry'));
  await writeFile(join(context, '.dockerignore'), 'node_modules\n*.md\n!README.md\n');
  await writeFile(join(context, 'README.md'), 'readme\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEY = 'a'.repeat(64);

/** One build's worth of context sync: walk, plan, apply the diff; the mirror's dir and generation. */
async function syncMirror(mirrors: ReturnType<typeof createContextMirrors>) {
  const manifest = await walkContext(context, await readIgnoreFile(context, undefined));
  const plan = await mirrors.plan(KEY, manifest);
  const outcome = await mirrors.use(
    KEY,
    manifest,
    plan,
    async (d) => {
      await applyLayer(packContextDiff(context, manifest, plan), d);
    },
    async (d, generation) => ({ dir: d, generation }),
  );
  if (outcome.stale) throw new Error('unexpected stale plan');
  return { plan, ...outcome.value };
}

describe('context walk', () => {
  it('lists what .dockerignore keeps, parents first', async () => {
    const entries = await walkContext(context, await readIgnoreFile(context, undefined));
    expect(entries.map((e) => `${e.type} ${e.path}`)).toEqual([
      'file .dockerignore',
      'file Dockerfile',
      'file README.md',
      'symlink entry',
      'dir src',
      'dir src/lib',
      'file src/lib/util.ts',
      'file src/main.ts',
    ]);
    expect(entries.find((e) => e.path === 'entry')?.linkname).toBe('src/main.ts');
  });

  it('prefers <Dockerfile>.dockerignore beside the Dockerfile', async () => {
    await writeFile(join(dir, 'app.Dockerfile'), 'FROM scratch\n');
    await writeFile(join(dir, 'app.Dockerfile.dockerignore'), 'src\n');
    expect(await readIgnoreFile(context, join(dir, 'app.Dockerfile'))).toEqual(['src', '']);
  });
});

describe('context plan', () => {
  it('sends everything first, nothing when unchanged, and the change after an edit', async () => {
    const before = await walkContext(context, []);
    expect(planAgainst({}, before).need).toHaveLength(before.length);
    const stored = Object.fromEntries(
      before.map((e) => [
        e.path,
        `${e.type}:${e.mode.toString(8)}:${e.size}:${e.mtimeMs}:${e.linkname ?? ''}`,
      ]),
    );
    expect(planAgainst(stored, before)).toEqual({ need: [], remove: [] });
    await writeFile(join(context, 'src/main.ts'), 'main, changed\n');
    await rm(join(context, 'src/lib'), { recursive: true });
    const after = await walkContext(context, []);
    const plan = planAgainst(stored, after);
    expect(plan.need).toContain('src/main.ts');
    expect(plan.need).not.toContain('README.md');
    expect(plan.remove).toEqual(['src/lib']);
  });
});

describe('context mirror', () => {
  it('applies diffs so the mirror equals the context, keeping unchanged inodes', async () => {
    const mirrors = createContextMirrors({ root: join(dir, 'store') });
    const sync = () => syncMirror(mirrors);
    const first = await sync();
    expect(first.plan.need.length).toBeGreaterThan(5);
    const mirror = first.dir;
    expect(await readFile(join(mirror, 'src/lib/util.ts'), 'utf8')).toBe('util\n');
    await expect(stat(join(mirror, 'node_modules'))).rejects.toThrow();
    const readmeInode = (await stat(join(mirror, 'README.md'))).ino;

    await writeFile(join(context, 'src/main.ts'), 'main, changed\n');
    await utimes(join(context, 'src/main.ts'), new Date(), new Date(Date.now() + 5000));
    await rm(join(context, 'src/lib'), { recursive: true });
    const second = await sync();
    expect(second.plan.need).toContain('src/main.ts');
    expect(second.plan.need).not.toContain('README.md');
    expect(await readFile(join(mirror, 'src/main.ts'), 'utf8')).toBe('main, changed\n');
    await expect(stat(join(mirror, 'src/lib'))).rejects.toThrow();
    expect((await stat(join(mirror, 'README.md'))).ino).toBe(readmeInode);

    expect((await sync()).plan).toEqual({ need: [], remove: [] });
  });

  it('sends many small files and a large one byte for byte, in manifest order', async () => {
    await mkdir(join(context, 'many'));
    for (let i = 0; i < 300; i++) await writeFile(join(context, `many/f${i}`), `file ${i}\n`.repeat(i));
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    await writeFile(join(context, 'big.bin'), big);
    const manifest = await walkContext(context, []);
    const plan = { need: manifest.map((e) => e.path), remove: [] };
    const target = join(dir, 'out');
    await applyLayer(packContextDiff(context, manifest, plan), target);
    expect(await readFile(join(target, 'big.bin'))).toEqual(big);
    for (const i of [0, 1, 150, 299])
      expect(await readFile(join(target, `many/f${i}`), 'utf8')).toBe(`file ${i}\n`.repeat(i));
  });

  it('fails clearly when a file changes size between the walk and the send', async () => {
    const manifest = await walkContext(context, []);
    await writeFile(join(context, 'src/main.ts'), 'main, now longer\n');
    const plan = { need: manifest.map((e) => e.path), remove: [] };
    await expect(applyLayer(packContextDiff(context, manifest, plan), join(dir, 'out'))).rejects.toThrow(
      /src\/main\.ts changed while it was sent/,
    );
  });

  it('names the mirror with a generation that changes only when a diff is applied', async () => {
    const mirrors = createContextMirrors({ root: join(dir, 'store') });
    const generation = async () => (await syncMirror(mirrors)).generation;
    const first = await generation();
    expect(await generation()).toBe(first);
    await writeFile(join(context, 'src/main.ts'), 'main, edited\n');
    await utimes(join(context, 'src/main.ts'), new Date(), new Date(Date.now() + 5000));
    const second = await generation();
    expect(second).not.toBe(first);
    expect(await generation()).toBe(second);
    // A restarted daemon knows its mirror's files but not what it remembered of them.
    const restarted = createContextMirrors({ root: join(dir, 'store') });
    const manifest = await walkContext(context, await readIgnoreFile(context, undefined));
    const plan = await restarted.plan(KEY, manifest);
    expect(plan).toEqual({ need: [], remove: [] });
    const outcome = await restarted.use(
      KEY,
      manifest,
      plan,
      async () => {},
      async (_d, g) => g,
    );
    expect(outcome.stale ? undefined : outcome.value).not.toBe(second);
  });

  it('refuses a plan made before another build changed the mirror', async () => {
    const mirrors = createContextMirrors({ root: join(dir, 'store') });
    const manifest = await walkContext(context, []);
    const stalePlan = { need: [], remove: [] };
    const outcome = await mirrors.use(
      KEY,
      manifest,
      stalePlan,
      async () => {},
      async () => 'ran',
    );
    expect(outcome).toEqual({ stale: true });
  });

  it('refuses keys that are not hex digests', async () => {
    const mirrors = createContextMirrors({ root: join(dir, 'store') });
    await expect(mirrors.plan('../../etc', [])).rejects.toThrow(/bad context key/);
  });
});
