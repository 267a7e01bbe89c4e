/** A comparable listing of a directory tree: what a layer made from it would contain, minus times. */
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isOpaqueDir } from '../../../src/executor/index.ts';
import { isWhiteoutEntry } from '../../../src/executor/snapshot/whiteout.ts';

export async function describeTree(dir: string, rel = ''): Promise<string[]> {
  const lines: string[] = [];
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const path = `${rel}/${name}`;
    const stats = await lstat(join(dir, path));
    const mode = (stats.mode & 0o7777).toString(8);
    const owner = `${stats.uid}:${stats.gid}`;
    if (stats.isDirectory()) {
      const opaque = (await isOpaqueDir(join(dir, path))) ? ' opaque' : '';
      lines.push(`d ${path} ${mode} ${owner}${opaque}`);
      lines.push(...(await describeTree(dir, path)));
    } else if (stats.isSymbolicLink()) {
      lines.push(`l ${path} -> ${await readlink(join(dir, path))}`);
    } else if (stats.isCharacterDevice()) {
      lines.push(`c ${path} ${stats.rdev}`);
    } else if (await isWhiteoutEntry(join(dir, path), stats)) {
      lines.push(`w ${path}`);
    } else {
      lines.push(`f ${path} ${mode} ${owner} ${stats.size}`);
    }
  }
  return lines;
}
