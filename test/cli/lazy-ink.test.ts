/**
 * Start-up: plain, json and quiet runs must not load ink or React. Follows every static import
 * from the CLI's entry (type-only imports and dynamic `import()` do not load anything at start)
 * and checks which packages are reached.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const STATIC = /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(STATIC)) {
      if (spec!.startsWith('.')) visit(resolve(dirname(file), spec!));
      else if (!spec!.startsWith('node:'))
        packages.add(spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('CLI start-up', () => {
  it('loads ink and React only through the dynamic import of the live view', () => {
    const { files, packages } = staticGraph(resolve(SRC, 'cli/main.ts'));
    expect(files.size).toBeGreaterThan(20);
    expect(packages).toContain('yargs');
    expect(packages).not.toContain('ink');
    expect(packages).not.toContain('react');
    expect([...files].some((f) => f.includes('progress/tty/'))).toBe(false);
    const tty = staticGraph(resolve(SRC, 'cli/progress/tty/reporter.tsx'));
    expect(tty.packages).toContain('ink');
  });
});
