/**
 * Fuzzing the layer tar reader (applyLayer): seed tarballs (plain and hostile, some gzip'd) mutated
 * by flipping bytes, rewriting header fields with a valid checksum (so the reader believes them),
 * truncating and splicing. Each input is applied into a fresh target inside a sandbox; a sibling
 * `outside` dir, aimed at by many seeds, must never change, and nothing may appear in the sandbox
 * beside the targets. Shared by the CI test and bench/fuzz-tar.ts.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { isTsbuildError } from '../../../src/errors.ts';
import { applyLayer } from '../../../src/image/index.ts';
import { buildTar, type RawEntry } from '../../image/support/tar.ts';
import { createRandom, type Random } from '../../parser/fuzz-inputs.ts';

export { createRandom };

const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

export interface Sandbox {
  readonly dir: string;
  readonly outside: string;
  readonly seeds: readonly Buffer[];
}

/** Makes the sandbox (with `outside` and its sentinels) and the seed tarballs that aim at it. */
export async function makeSandbox(dir: string): Promise<Sandbox> {
  const outside = path.join(dir, 'outside');
  await mkdir(path.join(outside, 'sub'), { recursive: true });
  await writeFile(path.join(outside, 'victim'), 'original');
  await writeFile(path.join(outside, 'sub', 'keep'), 'keep');
  const file = (name: string, data = 'pwned'): RawEntry => ({ header: { name, type: 'file' }, data });
  const link = (name: string, linkname: string, type: 'symlink' | 'link'): RawEntry => ({
    header: { name, type, linkname },
  });
  const seedEntries: RawEntry[][] = [
    [
      { header: { name: 'etc/', type: 'directory', mode: 0o40755 } },
      file('etc/passwd', 'root:x:0:0::/root:/bin/sh\n'),
    ],
    [
      file('a'),
      link('b', 'a', 'link'),
      link('c', 'a', 'symlink'),
      file('.wh.gone', ''),
      file('d/.wh..wh..opq', ''),
    ],
    [link('up', '../outside', 'symlink'), file('up/victim')],
    [link('host', outside, 'symlink'), file('host/victim'), link('h', `${outside}/victim`, 'link')],
    [file('../outside/victim'), file(`${outside}/sub/keep`)],
    [link('s', outside, 'symlink'), file('s/.wh.victim', ''), file('s/.wh..wh..opq', '')],
    [
      {
        header: { name: 'x'.repeat(300), type: 'file', pax: { path: `deep/${'y'.repeat(200)}` } },
        data: 'long',
      },
    ],
    [
      { header: { name: 'dev', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o60600 } },
      file('dev2', ''),
    ],
  ];
  const tars = await Promise.all(seedEntries.map((entries) => buildTar(entries)));
  return { dir, outside, seeds: [...tars, ...tars.map((t) => gzipSync(t))] };
}

/** Offsets of ustar header blocks (magic at +257). */
function headerOffsets(tar: Buffer): number[] {
  const out: number[] = [];
  for (let at = 0; at + 512 <= tar.length; at += 512)
    if (tar.toString('latin1', at + 257, at + 262) === 'ustar') out.push(at);
  return out;
}

function fixChecksum(tar: Buffer, at: number): void {
  tar.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = at; i < at + 512; i++) sum += tar[i]!;
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
}

/** Rewrites one field of the header block at `at` and fixes its checksum, so readers believe it. */
export function setField(tar: Buffer, at: number, offset: number, length: number, value: string): void {
  tar.fill(0, at + offset, at + offset + length);
  tar.write(value.slice(0, length), at + offset, 'latin1');
  fixChecksum(tar, at);
}

/** One mutation of a seed; gzip'd seeds are mutated as bytes only. */
export function mutateTar(rng: Random, sandbox: Sandbox): Buffer {
  const tar = Buffer.from(pick(rng, sandbox.seeds));
  const names = [
    '../x',
    '../../outside/victim',
    `${sandbox.outside}/victim`,
    'a/../../../victim',
    'x\0/../y',
    '/',
    '.',
    '..',
    `${'n/'.repeat(60)}z`,
  ];
  const edits = 1 + Math.floor(rng() * 3);
  let out = tar;
  for (let e = 0; e < edits; e++) {
    const headers = headerOffsets(out);
    const r = rng();
    if (r < 0.45 && headers.length > 0) {
      const at = pick(rng, headers);
      const field = rng();
      if (field < 0.3) setField(out, at, 0, 100, pick(rng, names));
      else if (field < 0.5) setField(out, at, 156, 1, pick(rng, [...'0123456gxLKS7\0']));
      else if (field < 0.7) setField(out, at, 157, 100, pick(rng, names));
      else if (field < 0.85) setField(out, at, 124, 12, Math.floor(rng() * 2 ** 33).toString(8));
      else setField(out, at, 100, 8, Math.floor(rng() * 0o177777).toString(8));
    } else if (r < 0.7) {
      for (let i = 0, n = 1 + Math.floor(rng() * 8); i < n && out.length > 0; i++)
        out[Math.floor(rng() * out.length)] = Math.floor(rng() * 256);
    } else if (r < 0.85) {
      out = out.subarray(0, Math.floor(rng() * out.length));
    } else {
      const from = Math.floor(rng() * out.length);
      const to = Math.floor(rng() * out.length);
      out = Buffer.concat([
        out.subarray(0, to),
        out.subarray(from, from + 512 * (1 + Math.floor(rng() * 3))),
        out.subarray(to),
      ]);
    }
  }
  return rng() < 0.1 ? gzipSync(out) : out;
}

/** Paths under `dir` with type, size and content hash, to compare before and after. */
export async function fingerprint(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const st = await lstat(full);
    const hash = st.isFile()
      ? createHash('sha256')
          .update(await readFile(full))
          .digest('hex')
      : '';
    out.push(`${path.relative(dir, full)} ${st.mode} ${st.size} ${hash}`);
  }
  return out.sort();
}

export type Outcome = 'applied' | 'refused' | 'failed';

/**
 * Applies one input into a fresh target; returns how it ended, or throws when it got out
 * (something changed outside the target) or hung.
 */
export async function applyInSandbox(
  sandbox: Sandbox,
  input: Buffer,
  outsideBefore: readonly string[],
): Promise<Outcome> {
  const target = await mkdtemp(path.join(sandbox.dir, 'target-'));
  let outcome: Outcome;
  // A timer that keeps the process alive: a reader stuck on a promise that never settles would
  // otherwise let the event loop empty and the process exit quietly, mid-run.
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('applyLayer hung for 5 s')), 5000);
  });
  try {
    await Promise.race([applyLayer(Readable.from([input]), target), hung]);
    outcome = 'applied';
  } catch (error) {
    if (String(error).includes('hung')) throw error;
    outcome = isTsbuildError(error) ? 'refused' : 'failed';
  } finally {
    clearTimeout(timer);
    await rm(target, { recursive: true, force: true });
  }
  const stray = (await readdir(sandbox.dir)).filter(
    (name) => name !== 'outside' && !name.startsWith('target-'),
  );
  if (stray.length > 0) throw new Error(`wrote outside its target: ${stray.join(', ')}`);
  const after = await fingerprint(sandbox.outside);
  if (after.join('\n') !== outsideBefore.join('\n')) throw new Error('changed the outside dir');
  return outcome;
}
