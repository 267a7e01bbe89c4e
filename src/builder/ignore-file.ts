/**
 * Finding the `.dockerignore` rules of a build. Apart from ./context.ts (which
 * parses the Dockerfile) because the daemon client needs only this.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** `.dockerignore` rules: `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's. */
export async function readIgnoreFile(
  contextDir: string,
  dockerfilePath: string | undefined,
): Promise<string[]> {
  const candidates = [
    ...(dockerfilePath === undefined
      ? []
      : [join(dirname(dockerfilePath), `${basename(dockerfilePath)}.dockerignore`)]),
    join(contextDir, '.dockerignore'),
  ];
  for (const file of candidates) {
    try {
      const text = await readFile(file, 'utf8');
      return text.split(/\r?\n/);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return [];
}
