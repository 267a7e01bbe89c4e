/**
 * Imports run one way (docs/architecture.md, DESIGN.md §1): each folder may
 * import only the folders listed here, plus src/errors.ts. `import type` of
 * data shapes is allowed where noted, since types carry no behaviour.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

const ALLOWED: Record<string, readonly string[]> = {
  parser: [],
  plan: ['parser'],
  solver: [],
  image: [],
  cache: ['image', 'registry'],
  executor: ['image'],
  registry: ['image'],
  ops: ['executor', 'cache', 'image', 'registry'],
  cli: ['index.ts'],
  // The store check reads every part of the store it validates.
  check: ['image', 'cache', 'executor', 'ops'],
  // The daemon is a server over the library: the Builder and the pieces a remote build needs.
  daemon: ['index.ts', 'build.ts', 'build-outputs.ts', 'build-records.ts', 'builder', 'cache', 'image'],
};
/** Type-only imports allowed on top: ops implement the solver's Op and read the plan's step shapes. */
const TYPE_ONLY: Record<string, readonly string[]> = {
  ops: ['solver', 'plan'],
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.tsx?$/.test(name) ? [p] : [];
  });
}

/** Top-level unit of a path under src: a folder name, or a file such as `index.ts`. */
function unit(file: string): string {
  return relative(SRC, file).split('/')[0]!;
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

describe('import direction', () => {
  const files = walk(SRC);

  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  for (const file of files) {
    const from = unit(file);
    const allowed = ALLOWED[from];
    if (allowed === undefined) continue;
    it(`${relative(SRC, file)} imports only what ${from} may`, () => {
      const text = readFileSync(file, 'utf8');
      const bad: string[] = [];
      for (const m of text.matchAll(IMPORT)) {
        const target = unit(resolve(dirname(file), m[3]!));
        if (target === from || target === 'errors.ts') continue;
        if (allowed.includes(target)) continue;
        if (m[2] !== undefined && TYPE_ONLY[from]?.includes(target)) continue;
        bad.push(`${m[3]} (${target})`);
      }
      expect(bad).toEqual([]);
    });
  }
});
