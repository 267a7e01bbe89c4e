/**
 * ADD's archive detection, as Docker does it: the compression is told by the first bytes
 * (gzip, bzip2, xz, zstd or none), and the file is an archive when what comes out starts with a
 * valid tar header. gzip and zstd use Node's zlib; bzip2 and xz go through Debian's `bzip2` and
 * `xz` (as Docker itself runs `xz`), streamed, so large archives never sit in memory.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { TsbuildError } from '../errors.ts';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const MAGIC: readonly (readonly [Compression, readonly number[]])[] = [
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

export function compressionOf(head: Uint8Array): Compression {
  for (const [kind, bytes] of MAGIC) {
    if (bytes.every((b, i) => head[i] === b)) return kind;
  }
  return 'none';
}

/** A 512-byte block is a tar header when its checksum field matches (v7, ustar, GNU, pax alike). */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < 512 || block[0] === 0) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  const field = Buffer.from(block.subarray(148, 156))
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
  return /^[0-7]+$/.test(field) && Number.parseInt(field, 8) === sum;
}

function throughProgram(program: string, source: Readable): Readable {
  const child = spawn(program, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-2000);
  });
  child.on('error', (err) =>
    out.destroy(
      new TsbuildError('CONTEXT', `ADD: cannot run ${program} to decompress the archive: ${err.message}`, {
        hint: `install it (apt-get install ${program === 'xz' ? 'xz-utils' : program})`,
      }),
    ),
  );
  child.on('close', (code) => {
    if (code !== 0 && code !== null) {
      out.destroy(new TsbuildError('CONTEXT', `ADD: ${program} failed on the archive: ${stderr.trim()}`));
    }
  });
  source.on('error', (err) => out.destroy(err));
  child.stdin.on('error', () => undefined);
  source.pipe(child.stdin);
  child.stdout.pipe(out);
  out.on('close', () => {
    if (child.exitCode === null) child.kill();
    source.destroy();
  });
  return out;
}

/** The decompressed bytes of `file`. */
export function decompressedStream(file: string, compression: Compression): Readable {
  const raw = createReadStream(file);
  switch (compression) {
    case 'none':
      return raw;
    case 'gzip':
      return raw.pipe(createGunzip());
    case 'zstd':
      return raw.pipe(createZstdDecompress());
    case 'bzip2':
      return throughProgram('bzip2', raw);
    case 'xz':
      return throughProgram('xz', raw);
  }
}

async function firstBytes(stream: Readable, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let have = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      have += (chunk as Buffer).length;
      if (have >= count) break;
    }
  } catch {
    // A file that only looks compressed: not an archive.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, count);
}

/** How to read `file` as a tar archive, or undefined when it is not one (it is then copied as is). */
export async function archiveCompression(file: string): Promise<Compression | undefined> {
  const handle = await open(file, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(8);
    const { bytesRead } = await handle.read(buf, 0, 8, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const compression = compressionOf(head);
  const block = await firstBytes(decompressedStream(file, compression), 512);
  return isTarHeader(block) ? compression : undefined;
}
