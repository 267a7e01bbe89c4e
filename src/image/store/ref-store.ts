import { type Dirent, promises as fsp } from 'node:fs';
import path from 'node:path';
import { TsbuildError } from '../../errors.ts';
import { digestFromHex, digestHex, isDigest } from '../digest.ts';
import { formatReference, parseReference, type Reference } from '../reference.ts';
import type { Descriptor } from '../types.ts';
import { writeFileAtomic } from './atomic.ts';

export interface RefEntry {
  readonly reference: Reference;
  readonly target: Descriptor;
}

/**
 * Names → manifest (or index) descriptors, one small file per name:
 * `refs/<registry>/<repository>/_tags/<tag>` and `.../_digests/<hex>` for references pinned by digest
 * only. `_` cannot start a repository path component, so these folders never clash with a repository.
 * Each file is replaced atomically, so concurrent writers of one tag leave one of their values.
 */
export interface RefStore {
  set(ref: Reference, target: Descriptor): Promise<void>;
  get(ref: Reference): Promise<Descriptor | undefined>;
  /** Returns whether the name existed. */
  delete(ref: Reference): Promise<boolean>;
  list(): Promise<readonly RefEntry[]>;
}

const TAGS = '_tags';
const DIGESTS = '_digests';

function parseTarget(text: string, file: string): Descriptor {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TsbuildError('STORE', `tag file ${file} is not valid JSON`, { cause: error });
  }
  const target = (value as { target?: Descriptor }).target;
  if (
    !target ||
    !isDigest(target.digest) ||
    typeof target.mediaType !== 'string' ||
    typeof target.size !== 'number'
  ) {
    throw new TsbuildError('STORE', `tag file ${file} does not name a descriptor`, {
      hint: 'remove the file and tag the image again',
    });
  }
  return target;
}

export function createRefStore(root: string): RefStore {
  const refsDir = path.join(root, 'refs');
  const tmpDir = path.join(root, 'ingest');

  function fileOf(ref: Reference): string {
    const repoDir = path.join(refsDir, ref.registry, ...ref.repository.split('/'));
    if (ref.tag !== undefined) return path.join(repoDir, TAGS, ref.tag);
    if (ref.digest) return path.join(repoDir, DIGESTS, digestHex(ref.digest));
    throw new TsbuildError('USAGE', `reference ${formatReference(ref)} has neither tag nor digest`);
  }

  async function collect(dir: string, repoParts: string[], out: RefEntry[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const full = path.join(dir, entry.name);
      if (entry.name === TAGS || entry.name === DIGESTS) {
        const [registry, ...repo] = repoParts;
        for (const name of await fsp.readdir(full)) {
          const file = path.join(full, name);
          // One damaged or foreign file must not hide every other image: `get` still reports it.
          try {
            const target = parseTarget(await fsp.readFile(file, 'utf8'), file);
            const suffix = entry.name === TAGS ? `:${name}` : `@${digestFromHex(name)}`;
            out.push({ reference: parseReference(`${registry}/${repo.join('/')}${suffix}`), target });
          } catch {}
        }
      } else {
        await collect(full, [...repoParts, entry.name], out);
      }
    }
  }

  return {
    async set(ref, target) {
      const body = JSON.stringify({ reference: formatReference(ref), target });
      await writeFileAtomic(tmpDir, fileOf(ref), body);
    },
    async get(ref) {
      const file = fileOf(ref);
      try {
        return parseTarget(await fsp.readFile(file, 'utf8'), file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async delete(ref) {
      const file = fileOf(ref);
      try {
        await fsp.unlink(file);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    },
    async list() {
      const out: RefEntry[] = [];
      await collect(refsDir, [], out);
      // Code-unit order, not the locale's: listings must not depend on the machine's language.
      const key = (e: RefEntry) => formatReference(e.reference);
      return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    },
  };
}
