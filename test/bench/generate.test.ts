import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateScenarios, SCENARIO_IDS, SIZES } from '../../bench/lib/generate.ts';
import { createRng } from '../../bench/lib/prng.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tsb-bench-gen-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** path → sha256 of content, for every file under dir. */
async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(
      relative(dir, path),
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    );
  }
  return out;
}

describe('deterministic randomness', () => {
  it('repeats for a seed and label and differs across them', () => {
    const a = createRng('seed', 'x');
    const b = createRng('seed', 'x');
    const c = createRng('seed', 'y');
    const draw = (r: ReturnType<typeof createRng>) => [r.int(0, 1_000_000), r.bytes(32).toString('hex')];
    expect(draw(a)).toEqual(draw(b));
    expect(draw(c)).not.toEqual(draw(createRng('seed', 'x')));
  });

  it('keeps integers within bounds', () => {
    const r = createRng('bounds', 'int');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(r.int(3, 7));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });
});

describe('scenario generator', () => {
  const scale = 0.01;

  it('writes byte-identical trees for the same seed and different ones for another seed', async () => {
    const [one, two, other] = [await tempDir(), await tempDir(), await tempDir()];
    await generateScenarios({ seed: 'a', outDir: one, scale });
    await generateScenarios({ seed: 'a', outDir: two, scale });
    await generateScenarios({ seed: 'b', outDir: other, scale, only: ['s2'] });
    const first = await tree(one);
    expect(first.size).toBeGreaterThan(0);
    expect(await tree(two)).toEqual(first);
    const s2 = (t: Map<string, string>) => [...t].filter(([p]) => p.startsWith('s2/'));
    expect(s2(await tree(other))).not.toEqual(s2(first));
  });

  it('produces every scenario with the shapes the harness relies on', async () => {
    const out = await tempDir();
    const generated = await generateScenarios({ seed: 'shape', outDir: out, scale });
    expect(generated.map((g) => g.id)).toEqual([...SCENARIO_IDS]);
    const byId = new Map(generated.map((g) => [g.id, g]));
    for (const g of generated) {
      for (const context of g.contexts) {
        const dockerfile = await readFile(join(context, 'Dockerfile'), 'utf8');
        expect(dockerfile.startsWith('ARG BASE\n')).toBe(true);
        expect(dockerfile).toMatch(/^FROM \$BASE/m);
      }
    }
    const s2 = byId.get('s2')!;
    expect(await readFile(join(s2.contexts[0]!, s2.mutable!), 'utf8')).not.toBe('');
    const s5 = byId.get('s5')!;
    expect(s5.files).toBe(Math.round(SIZES.s5Files * scale) + 1);
    const s6 = byId.get('s6')!;
    expect(s6.contexts).toHaveLength(SIZES.s6Builds);
    const variants = await Promise.all(s6.contexts.map((c) => readFile(join(c, 'src/variant.js'), 'utf8')));
    expect(new Set(variants).size).toBe(SIZES.s6Builds);
    const s3 = await readFile(join(byId.get('s3')!.contexts[0]!, 'Dockerfile'), 'utf8');
    expect(s3.match(/RUN sleep/g)).toHaveLength(SIZES.s3Stages);
  });
});
