/**
 * The path a user types, end to end with real parts: import busybox:local,
 * `tsbuild build -t my-httpd`, rebuild (all cached), edit index.html (only
 * COPY and later steps re-run), then check nothing leaked.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { E2E_REASON, E2E_SKIP, mountsUnder, REPO, runcContainers, tsbuild } from '../support/cli.ts';

/** Step lines of BuildKit's plain output: `#N [1/4] FROM ...` → name by number, and which ended CACHED / DONE. */
function stepOutcomes(stderr: string): Map<string, 'CACHED' | 'DONE'> {
  const names = new Map<string, string>();
  const outcomes = new Map<string, 'CACHED' | 'DONE'>();
  for (const line of stderr.split('\n')) {
    const named = /^#(\d+) (\[[^\]]*\d+\/\d+\] .*)$/.exec(line);
    if (named) names.set(named[1]!, named[2]!);
    const ended = /^#(\d+) (CACHED|DONE [\d.]+s)$/.exec(line);
    const name = ended ? names.get(ended[1]!) : undefined;
    if (ended && name !== undefined)
      outcomes.set(name.replace(/^\[[^\]]*\] /, ''), ended[2] === 'CACHED' ? 'CACHED' : 'DONE');
  }
  return outcomes;
}

describe.skipIf(E2E_SKIP)(`tsbuild -t my-httpd (${E2E_REASON})`, () => {
  let root: string;
  let context: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsb-e2e-'));
    context = join(root, 'ctx');
    await cp(join(REPO, 'fixtures/my-httpd'), context, { recursive: true });
    const imported = await tsbuild(['import', inject('busyboxRootfs'), 'busybox:local'], {
      root: join(root, 'store'),
    });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds on an empty store and lists the image', async () => {
    const store = join(root, 'store');
    const built = await tsbuild(['build', '-t', 'my-httpd', '--progress=plain', context], { root: store });
    expect(built.stderr).toContain('RUN echo "built by tsbuild" > /built.txt');
    expect(built.code).toBe(0);
    const outcomes = stepOutcomes(built.stderr);
    expect(outcomes.get('WORKDIR /var/www')).toBe('DONE');
    expect(outcomes.get('COPY index.html .')).toBe('DONE');
    expect(outcomes.get('RUN echo "built by tsbuild" > /built.txt')).toBe('DONE');

    const listed = await tsbuild(['images', '--format', 'json'], { root: store });
    const rows = JSON.parse(listed.stdout) as { repository: string; tag: string }[];
    expect(rows.map((r) => `${r.repository}:${r.tag}`).sort()).toEqual(['busybox:local', 'my-httpd:latest']);
  });

  it('rebuilds with every step cached', async () => {
    const store = join(root, 'store');
    const again = await tsbuild(['build', '-t', 'my-httpd', '--progress=plain', context], { root: store });
    expect(again.code).toBe(0);
    const outcomes = stepOutcomes(again.stderr);
    const names = [...outcomes.keys()];
    expect(names.filter((n) => n.startsWith('FROM '))).toHaveLength(1);
    expect(names.filter((n) => !n.startsWith('FROM ')).sort()).toEqual([
      'COPY index.html .',
      'RUN echo "built by tsbuild" > /built.txt',
      'WORKDIR /var/www',
    ]);
    for (const [step, outcome] of outcomes) expect(`${step}: ${outcome}`).toBe(`${step}: CACHED`);
  });

  it('re-runs only COPY and later steps after index.html changes', async () => {
    const store = join(root, 'store');
    await writeFile(join(context, 'index.html'), '<h1>changed</h1>\n');
    const changed = await tsbuild(['build', '-t', 'my-httpd', '--progress=plain', context], { root: store });
    expect(changed.code).toBe(0);
    const outcomes = stepOutcomes(changed.stderr);
    expect(outcomes.get('WORKDIR /var/www')).toBe('CACHED');
    expect(outcomes.get('COPY index.html .')).toBe('DONE');
    expect(outcomes.get('RUN echo "built by tsbuild" > /built.txt')).toBe('DONE');
  });

  it('runs the image: CMD, WORKDIR and the built files are there', async () => {
    const store = join(root, 'store');
    const ran = await tsbuild(['run', '--rm', 'my-httpd', 'sh', '-c', 'pwd; cat /built.txt index.html'], {
      root: store,
    });
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe('/var/www\nbuilt by tsbuild\n<h1>changed</h1>\n');
    expect(ran.code).toBe(0);
  });

  it('leaves no mount under the store and no runc container', async () => {
    const store = join(root, 'store');
    expect(await mountsUnder(store)).toEqual([]);
    expect(await runcContainers(store)).toEqual([]);
  });
});
