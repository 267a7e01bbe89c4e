import type { Stats } from 'node:fs';
import { lstat, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { distance } from 'fastest-levenshtein';
import { TsbuildError } from '../errors.ts';
import { cleanPath } from './ignore/go-path.ts';
import type { PatternMatcher } from './ignore/matcher.ts';
import { compileGlob, hasGlobMeta } from './ignore/pattern.ts';

/** One path a COPY source names (after wildcards), resolved inside the context. */
export interface SourceRoot {
  /** Context-relative path as written/matched (slash-separated, `.` for the context itself). */
  readonly path: string;
  /** Context-relative path to read: differs from `path` when the source is a symlink. */
  readonly resolved: string;
  /** Destination prefix: `.` for a directory's contents, the name for a file, more with --parents. */
  readonly dest: string;
  readonly stats: Stats;
}

export interface SourceQuery {
  readonly contextDir: string;
  readonly source: string;
  readonly parents: boolean;
  readonly ignored: PatternMatcher;
}

function escapes(cleaned: string): boolean {
  return cleaned === '..' || cleaned.startsWith('../') || cleaned.startsWith('/');
}

/** Resolve one COPY/ADD source to the paths it names, following Docker's rules. */
export async function resolveSource(query: SourceQuery): Promise<SourceRoot[]> {
  const { source, parents } = query;
  // `--parents` keeps the path below a `/./` pivot (or the whole path without one).
  const pivot = parents ? source.indexOf('/./') : -1;
  const cleaned = cleanPath(source);
  if (escapes(cleaned) || source.startsWith('/')) {
    throw new TsbuildError('CONTEXT', `COPY source "${source}" points outside the build context`, {
      hint: 'sources are relative to the build context; move the file into the context or change the context directory',
    });
  }
  const kept = pivot >= 0 ? cleanPath(source.slice(0, pivot)) : '.';
  const paths = hasGlobMeta(cleaned) ? await expandGlob(query, cleaned) : [cleaned];
  const roots: SourceRoot[] = [];
  for (const rel of paths) {
    const root = await statSource(query, rel);
    const dest = parents
      ? kept === '.' || !rel.startsWith(`${kept}/`)
        ? rel
        : rel.slice(kept.length + 1)
      : root.stats.isDirectory()
        ? '.'
        : path.posix.basename(rel);
    roots.push({ ...root, dest });
  }
  return roots;
}

/** The real path of context dir `rel` when it lies inside the context; undefined if missing or outside. */
async function realInside(contextDir: string, rel: string): Promise<string | undefined> {
  const [contextReal, real] = await Promise.all([
    realpath(contextDir),
    realpath(path.join(contextDir, rel)).catch(() => undefined),
  ]);
  if (real === undefined) return undefined;
  const inside = path.relative(contextReal, real).split(path.sep).join('/');
  return escapes(inside || '.') ? undefined : real;
}

async function statSource(query: SourceQuery, rel: string): Promise<Omit<SourceRoot, 'dest'>> {
  const abs = path.join(query.contextDir, rel);
  // A directory on the way may be a symlink (`up -> ..`, `root -> /`) that the OS would follow
  // anywhere: every parent must resolve inside the context.
  const parent = path.posix.dirname(rel);
  const parentExists =
    (await lstat(path.join(query.contextDir, parent)).catch(() => undefined)) !== undefined;
  if (parent !== '.' && parentExists && (await realInside(query.contextDir, parent)) === undefined) {
    throw new TsbuildError(
      'CONTEXT',
      `COPY source "${rel}" goes through a symlink that leads outside the build context`,
      { hint: 'copy the files the link points to into the context' },
    );
  }
  const stats =
    rel === '.' || !query.ignored.matches(rel) ? await lstat(abs).catch(() => undefined) : undefined;
  if (stats === undefined) throw await missingSource(query, rel);
  if (!stats.isSymbolicLink()) return { path: rel, resolved: rel, stats };
  // A source that is itself a symlink is followed, as Docker does, but only within the context.
  const contextReal = await realpath(query.contextDir);
  const target = await realpath(abs).catch(() => undefined);
  const resolved =
    target === undefined ? undefined : path.relative(contextReal, target).split(path.sep).join('/');
  if (resolved === undefined || escapes(resolved || '.')) {
    throw new TsbuildError(
      'CONTEXT',
      `COPY source "${rel}" is a symlink that leads outside the build context`,
      {
        hint: 'copy the file the link points to into the context',
      },
    );
  }
  const targetRel = resolved === '' ? '.' : resolved;
  return { path: rel, resolved: targetRel, stats: await lstat(target!) };
}

async function expandGlob(query: SourceQuery, pattern: string): Promise<string[]> {
  let current = ['.'];
  for (const part of pattern.split('/')) {
    const next: string[] = [];
    const glob = hasGlobMeta(part) ? compileGlob(part) : undefined;
    for (const dir of current) {
      if (glob === undefined) {
        next.push(dir === '.' ? part : `${dir}/${part}`);
        continue;
      }
      const names = await readdir(path.join(query.contextDir, dir)).catch(() => [] as string[]);
      for (const name of names.sort()) {
        const rel = dir === '.' ? name : `${dir}/${name}`;
        if (glob.match(name) && !query.ignored.matches(rel)) next.push(rel);
      }
    }
    current = next;
  }
  // A wildcard that matches nothing copies nothing: BuildKit allows empty wildcards.
  const existing: string[] = [];
  for (const rel of current) {
    if ((await lstat(path.join(query.contextDir, rel)).catch(() => undefined)) !== undefined)
      existing.push(rel);
  }
  return existing;
}

/** The error for a missing source, naming what does exist near it. */
async function missingSource(query: SourceQuery, rel: string): Promise<TsbuildError> {
  // The nearest directory that exists: its entries are what the user most likely meant.
  // Directories reached through a symlink out of the context are not listed.
  const list = async (d: string) =>
    (await realInside(query.contextDir, d)) === undefined
      ? undefined
      : readdir(path.join(query.contextDir, d));
  let dir = path.posix.dirname(rel);
  let names = await list(dir).catch(() => undefined);
  while (names === undefined && dir !== '.') {
    dir = path.posix.dirname(dir);
    names = await list(dir).catch(() => undefined);
  }
  const visible = (names ?? [])
    .map((name) => (dir === '.' ? name : `${dir}/${name}`))
    .filter((candidate) => !query.ignored.matches(candidate));
  const wanted = path.posix.basename(rel);
  const near = visible
    .map((candidate) => ({ candidate, distance: distance(path.posix.basename(candidate), wanted) }))
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate))
    .slice(0, 5)
    .map((c) => c.candidate);
  const ignoredNote = query.ignored.matches(rel) ? ' (it is excluded by .dockerignore)' : '';
  return new TsbuildError('CONTEXT', `COPY source "${rel}" not found in the build context${ignoredNote}`, {
    hint: near.length > 0 ? `paths that exist nearby: ${near.join(', ')}` : 'the build context is empty here',
  });
}
