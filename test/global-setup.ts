/**
 * Global test setup: compile the CLI once (end-to-end tests run the real
 * `bin/tsbuild.js` on dist/), and make the busybox rootfs tarball the
 * end-to-end tests import as their base image.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

const ROOT = resolve(import.meta.dirname, '..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** A busybox rootfs tarball (fixtures/busybox/make-rootfs.sh), or '' when busybox-static is missing. */
    busyboxRootfs: string;
  }
}

export default function setup(project: TestProject): () => void {
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(ROOT, 'tsconfig.build.json')], {
      stdio: 'pipe',
    });
  } catch (err) {
    // tsc still emits on type errors; `npm run typecheck` is what enforces them (CI runs it).
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    process.stderr.write(
      `global-setup: tsc reported errors; dist/ was emitted anyway:\n${out.slice(0, 4000)}\n`,
    );
  }
  // bin/tsbuild.js runs the bundle when it is newer than the compiled tree, as an install would.
  execFileSync(process.execPath, [join(ROOT, 'scripts/bundle.ts')], { stdio: 'pipe' });
  const dir = mkdtempSync(join(tmpdir(), 'tsb-fixtures-'));
  let rootfs = '';
  if (existsSync('/bin/busybox')) {
    rootfs = join(dir, 'busybox-rootfs.tar');
    execFileSync(join(ROOT, 'fixtures/busybox/make-rootfs.sh'), [rootfs], { stdio: 'inherit' });
  }
  project.provide('busyboxRootfs', rootfs);
  return () => rmSync(dir, { recursive: true, force: true });
}
