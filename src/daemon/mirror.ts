/**
 * The daemon's copy of each client context, kept between builds under
 * `<root>/daemon/contexts/<key>/` so a rebuild sends only what changed and
 * the files left alone keep their inodes and times: the stat cache then
 * answers for them without reading a byte.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { TsbuildError } from '../errors.ts';
import { type ContextEntry, fingerprint } from './context-walk.ts';
import type { ContextPlan } from './protocol.ts';

type Stored = Readonly<Record<string, string>>;

export interface ContextMirrors {
  plan(key: string, manifest: readonly ContextEntry[]): Promise<ContextPlan>;
  /**
   * Under the key's lock: checks the plan the client followed still holds (else `stale`: another
   * build changed the mirror since), applies its diff with `apply`, records the manifest, then
   * runs `work` on the mirror directory. `generation` names the mirror's contents: it changes
   * whenever a diff is applied (and when the daemon restarts), so checksums of an unchanged mirror
   * can be reused without looking at its files again.
   */
  use<T>(
    key: string,
    manifest: readonly ContextEntry[],
    plan: ContextPlan,
    apply: (dir: string) => Promise<void>,
    work: (dir: string, generation: string) => Promise<T>,
  ): Promise<{ readonly stale: true } | { readonly stale: false; readonly value: T }>;
}

const KEY = /^[a-f0-9]{64}$/;

export function mirrorsDir(root: string): string {
  return join(root, 'daemon', 'contexts');
}

function underRemoved(path: string, removed: ReadonlySet<string>): boolean {
  for (let p = path; p !== ''; p = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '')
    if (removed.has(p)) return true;
  return false;
}

export function planAgainst(stored: Stored, manifest: readonly ContextEntry[]): ContextPlan {
  const wanted = new Set(manifest.map((e) => e.path));
  const need = manifest.filter((e) => stored[e.path] !== fingerprint(e)).map((e) => e.path);
  const gone = new Set(Object.keys(stored).filter((p) => !wanted.has(p)));
  const remove = [...gone].filter((p) => !underRemoved(p.slice(0, Math.max(0, p.lastIndexOf('/'))), gone));
  return { need, remove };
}

export interface MirrorOptions {
  readonly root: string;
  /** Mirrors kept; the least recently used beyond this are removed. */
  readonly keep?: number;
}

export function createContextMirrors(options: MirrorOptions): ContextMirrors {
  const base = mirrorsDir(options.root);
  const locks = new Map<string, Promise<unknown>>();
  // The daemon is the only writer of its mirrors: what it last read or wrote is what is on disk.
  const manifests = new Map<string, Stored>();
  const generations = new Map<string, string>();
  const check = (key: string) => {
    if (!KEY.test(key)) throw new TsbuildError('USAGE', `bad context key ${JSON.stringify(key)}`);
  };
  /** The recorded manifest; undefined when there is none (new, or a send failed half-way). */
  const load = async (key: string): Promise<Stored | undefined> => {
    const known = manifests.get(key);
    if (known !== undefined) return known;
    const text = await readFile(join(base, key, 'manifest.json'), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const stored = JSON.parse(text) as Stored;
    manifests.set(key, stored);
    return stored;
  };

  const evict = async () => {
    const names = await readdir(base).catch(() => [] as string[]);
    const aged = await Promise.all(
      names.map(async (n) => ({ n, t: (await stat(join(base, n)).catch(() => undefined))?.mtimeMs ?? 0 })),
    );
    for (const { n } of aged.sort((a, b) => b.t - a.t).slice(options.keep ?? 16)) {
      if (locks.has(n)) continue;
      manifests.delete(n);
      generations.delete(n);
      await rm(join(base, n), { recursive: true, force: true });
    }
  };

  const locked = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const run = (locks.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
    locks.set(key, run);
    return run.finally(() => {
      if (locks.get(key) === run) locks.delete(key);
    });
  };

  return {
    async plan(key, manifest) {
      check(key);
      return planAgainst((await load(key)) ?? {}, manifest);
    },

    use(key, manifest, plan, apply, work) {
      check(key);
      return locked(key, async () => {
        const stored = await load(key);
        const fresh = planAgainst(stored ?? {}, manifest);
        const sent = new Set(plan.need);
        const removed = new Set(plan.remove);
        const stale =
          fresh.need.some((p) => !sent.has(p)) || fresh.remove.some((p) => !underRemoved(p, removed));
        if (stale) return { stale: true } as const;
        const dir = join(base, key, 'fs');
        const unchanged = stored !== undefined && plan.need.length === 0 && plan.remove.length === 0;
        if (!unchanged) {
          if (stored === undefined) await rm(dir, { recursive: true, force: true });
          await mkdir(dir, { recursive: true });
          // Until the new manifest is written the mirror is unknown: a failed apply means a full resend.
          manifests.delete(key);
          generations.delete(key);
          await rm(join(base, key, 'manifest.json'), { force: true });
          await apply(dir);
          const next: Stored = Object.fromEntries(manifest.map((e) => [e.path, fingerprint(e)]));
          await writeFileAtomic(join(base, key, 'manifest.json'), JSON.stringify(next));
          manifests.set(key, next);
        }
        let generation = generations.get(key);
        if (generation === undefined) {
          generation = randomUUID();
          generations.set(key, generation);
        }
        const now = new Date();
        await utimes(join(base, key), now, now);
        try {
          return { stale: false, value: await work(dir, generation) } as const;
        } finally {
          await evict();
        }
      });
    },
  };
}
