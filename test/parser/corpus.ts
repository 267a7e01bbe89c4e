/** Locates the shared conformance corpus (outside the repo, at ../shared/corpus from the repo root). */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const corpusDir = resolve(import.meta.dirname, '../../../shared/corpus');
export const hasCorpus = existsSync(corpusDir);
export const noCorpusReason = `needs the shared corpus at ${'../shared/corpus'} (absent in a plain clone)`;

/** Every Dockerfile under corpus/dockerfiles, as paths relative to the corpus. */
export function corpusDockerfiles(): string[] {
  const root = join(corpusDir, 'dockerfiles');
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.Dockerfile')) out.push(full.slice(corpusDir.length + 1));
    }
  };
  if (hasCorpus) walk(root);
  return out;
}
