/**
 * The client's view of a build context: every entry `.dockerignore` keeps,
 * with the stat fields that tell whether the daemon's copy is current.
 * Sockets, FIFOs and devices are left out (a build cannot COPY them).
 */
import { lstatSync } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createPatternMatcher, parseDockerignore } from '../cache/index.ts';

export interface ContextEntry {
  /** Relative to the context, `/`-separated, no leading `./`. */
  readonly path: string;
  readonly type: 'file' | 'dir' | 'symlink';
  readonly mode: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly linkname?: string;
}

/** The entry's identity for "has it changed?": everything but the path. */
export function fingerprint(e: ContextEntry): string {
  return `${e.type}:${e.mode.toString(8)}:${e.size}:${e.mtimeMs}:${e.linkname ?? ''}`;
}

export async function walkContext(contextDir: string, ignore: readonly string[]): Promise<ContextEntry[]> {
  const matcher = createPatternMatcher(parseDockerignore(ignore.join('\n')));
  const out: ContextEntry[] = [];
  const visit = async (rel: string): Promise<void> => {
    const names = (await readdir(rel === '' ? contextDir : join(contextDir, rel))).sort();
    const paths = names.map((name) => (rel === '' ? name : `${rel}/${name}`));
    // Synchronous: a walk of many files is bound by lstat calls, and a promise each costs more than
    // the call (the 50,000-file bench context: 450 ms of walking with promises).
    const stats = paths.map((path) => lstatSync(join(contextDir, path)));
    const subdirs: string[] = [];
    for (const [i, path] of paths.entries()) {
      const st = stats[i]!;
      const ignored = matcher.matches(path);
      // An ignored directory may still hold re-included files when `!` patterns exist.
      if (ignored && !(st.isDirectory() && matcher.hasExclusions)) continue;
      const base = { path, mode: st.mode & 0o7777, mtimeMs: Math.trunc(st.mtimeMs) };
      if (st.isDirectory()) {
        if (!ignored) out.push({ ...base, type: 'dir', size: 0 });
        subdirs.push(path);
      } else if (st.isFile()) out.push({ ...base, type: 'file', size: st.size });
      else if (st.isSymbolicLink())
        out.push({ ...base, type: 'symlink', size: 0, linkname: await readlink(join(contextDir, path)) });
    }
    await Promise.all(subdirs.map(visit));
  };
  await visit('');
  return addParents(out);
}

/** Directories above re-included files, so every entry's parent is in the list. */
function addParents(entries: ContextEntry[]): ContextEntry[] {
  const have = new Set(entries.map((e) => e.path));
  const extra: ContextEntry[] = [];
  for (const e of entries) {
    for (let d = dirname(e.path); d !== '.' && !have.has(d); d = dirname(d)) {
      have.add(d);
      extra.push({ path: d, type: 'dir', mode: 0o755, size: 0, mtimeMs: 0 });
    }
  }
  return [...entries, ...extra].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
