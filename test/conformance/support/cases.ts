/**
 * The differential cases: one directory per case under
 * fixtures/conformance/, holding a Dockerfile, its context files and an
 * optional case.json (the build's options, see CaseSpec). Each case is
 * copied to a scratch context before the build, so setup steps (modes,
 * tarballs) never touch the repository.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Aspect } from './compare.ts';

const run = promisify(execFile);

export const FIXTURES = resolve(import.meta.dirname, '../../../fixtures/conformance');

/** A difference the harness accepts because docs/conformance.md explains it. */
export interface Deviation {
  /** The exact difference line compare.ts reports. */
  readonly line: string;
  /** The section of docs/conformance.md that explains it, e.g. "R2". */
  readonly doc: string;
}

export interface CaseSpec {
  readonly description: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
  /** Extra name the image gets in both engines, for cases that build FROM it. */
  readonly tag?: string;
  /** Cases whose tagged images this one uses; they are built first. */
  readonly needs?: readonly string[];
  /**
   * The Dockerfile docker builds instead of `Dockerfile`: the same build
   * spelled without a feature docker 20.10's BuildKit lacks (heredocs,
   * --parents, --exclude, --link...). History is not compared then.
   */
  readonly dockerDockerfile?: string;
  /** What is compared (default: config, history and rootfs). */
  readonly compare?: readonly Aspect[];
  /** Secret id -> file in the case directory. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Both engines must refuse the build (messages are not compared). */
  readonly expectError?: boolean;
  /** Prepared in the scratch copy before building. */
  readonly setup?: {
    /** Path -> octal mode. */
    readonly chmod?: Readonly<Record<string, string>>;
    /** Archive name (`.tar`, `.tar.gz`) -> directory of the case it packs (the directory is then removed from neither). */
    readonly tar?: Readonly<Record<string, string>>;
  };
  readonly deviations?: readonly Deviation[];
}

export interface ConformanceCase {
  readonly name: string;
  readonly dir: string;
  readonly spec: CaseSpec;
  readonly aspects: readonly Aspect[];
}

export async function loadCases(): Promise<ConformanceCase[]> {
  if (!existsSync(FIXTURES)) return [];
  const names = (await readdir(FIXTURES, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const dir = join(FIXTURES, name);
      const specPath = join(dir, 'case.json');
      const spec: CaseSpec = existsSync(specPath)
        ? (JSON.parse(await readFile(specPath, 'utf8')) as CaseSpec)
        : { description: name };
      const aspects: readonly Aspect[] =
        spec.compare ??
        (spec.dockerDockerfile === undefined ? ['config', 'history', 'rootfs'] : ['config', 'rootfs']);
      return { name, dir, spec, aspects };
    }),
  );
}

/** Copies a case to `dest` (without case.json) and applies its setup. */
export async function prepareContext(c: ConformanceCase, dest: string): Promise<void> {
  await cp(c.dir, dest, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => src !== join(c.dir, 'case.json'),
  });
  for (const [path, mode] of Object.entries(c.spec.setup?.chmod ?? {})) {
    await chmod(join(dest, path), Number.parseInt(mode, 8));
  }
  for (const [archive, dir] of Object.entries(c.spec.setup?.tar ?? {})) {
    const gzip = archive.endsWith('.gz') ? ['-z'] : [];
    await run('tar', [
      ...gzip,
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '-C',
      join(dest, dir),
      '-cf',
      join(dest, archive),
      '.',
    ]);
  }
}

/** Cases in an order where every case comes after the ones it needs. */
export function inDependencyOrder(cases: readonly ConformanceCase[]): ConformanceCase[] {
  const byName = new Map(cases.map((c) => [c.name, c]));
  const out: ConformanceCase[] = [];
  const seen = new Set<string>();
  const visit = (c: ConformanceCase, path: readonly string[]) => {
    if (seen.has(c.name)) return;
    if (path.includes(c.name)) throw new Error(`conformance cases need each other: ${[...path, c.name]}`);
    for (const n of c.spec.needs ?? []) {
      const dep = byName.get(n);
      if (dep === undefined) throw new Error(`case ${c.name} needs unknown case ${n}`);
      visit(dep, [...path, c.name]);
    }
    seen.add(c.name);
    out.push(c);
  };
  for (const c of cases) visit(c, []);
  return out;
}
