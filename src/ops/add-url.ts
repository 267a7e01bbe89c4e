/**
 * ADD <url>: the download is part of the cache key (its content digest), so it happens when the
 * key is computed. A URL fetched before is revalidated with its ETag / Last-Modified: a 304 keeps
 * the stored content without downloading it again. `--checksum` is checked against the content.
 * The file is named after Content-Disposition or the URL path, mode 0600 (as Docker), mtime from
 * Last-Modified.
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { openUrlCache, type UrlRecord } from '../cache/index.ts';
import { TsbuildError } from '../errors.ts';
import { type Digest, parseDigest } from '../image/index.ts';
import type { OpServices } from './services.ts';

export interface RemoteFile {
  readonly url: string;
  readonly digest: Digest;
  readonly size: number;
  readonly filename: string;
  readonly mtime: Date;
}

const GIT_SOURCE = /^git@|^git:\/\/|^ssh:\/\/|\.git(#.*)?$/;
const HTTP_SOURCE = /^https?:\/\//;

export function isGitSource(source: string): boolean {
  return GIT_SOURCE.test(source);
}

export function isUrlSource(source: string): boolean {
  return HTTP_SOURCE.test(source) && !isGitSource(source);
}

/** `attachment; filename="x.tgz"` → `x.tgz` (only a plain base name is taken). */
function dispositionName(header: string | null): string | undefined {
  const m = header === null ? null : /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
  const name = m === null ? undefined : posix.basename(decodeURIComponent(m[1]!.trim()));
  return name === undefined || name === '' || name === '.' || name === '..' ? undefined : name;
}

function urlName(url: string): string | undefined {
  const base = posix.basename(new URL(url).pathname);
  return base === '' || base === '/' ? undefined : decodeURIComponent(base);
}

function checkChecksum(file: RemoteFile, checksum: string | undefined, what: string): void {
  if (checksum === undefined) return;
  if (!checksum.startsWith('sha256:')) {
    throw new TsbuildError('DF_PLAN', `${what}: --checksum=${checksum} is not a sha256 digest`, {
      hint: 'give --checksum=sha256:<64 hex digits>',
    });
  }
  const expected = parseDigest(checksum);
  if (expected !== file.digest) {
    throw new TsbuildError(
      'DIGEST_MISMATCH',
      `${what}: ${file.url} has digest ${file.digest}, expected ${expected}`,
      {
        hint: 'the file on the server changed or the --checksum is wrong',
      },
    );
  }
}

function remoteOf(record: UrlRecord): RemoteFile {
  const modified = record.lastModified === undefined ? Number.NaN : Date.parse(record.lastModified);
  return {
    url: record.url,
    digest: parseDigest(record.digest),
    size: record.size,
    filename: record.filename,
    mtime: new Date(Number.isNaN(modified) ? 0 : modified),
  };
}

/** Downloads or revalidates `url`; its content is then a blob of the image store. */
export async function fetchRemote(
  services: OpServices,
  url: string,
  options: { readonly checksum?: string; readonly signal: AbortSignal; readonly what: string },
): Promise<RemoteFile> {
  const cache = openUrlCache(services.root);
  const known = await cache.get(url);
  const reusable = known !== undefined && (await services.store.blobs.has(parseDigest(known.digest)));
  const headers: Record<string, string> = {};
  if (reusable && known.etag !== undefined) headers['if-none-match'] = known.etag;
  if (reusable && known.lastModified !== undefined) headers['if-modified-since'] = known.lastModified;
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: options.signal, redirect: 'follow' });
  } catch (err) {
    options.signal.throwIfAborted();
    throw new TsbuildError('CONTEXT', `${options.what}: cannot download ${url}: ${(err as Error).message}`, {
      cause: err,
      hint: 'check the URL and that this machine can reach the server',
    });
  }
  if (res.status === 304 && reusable) {
    await res.body?.cancel();
    const file = remoteOf(known);
    checkChecksum(file, options.checksum, options.what);
    return file;
  }
  if (!res.ok || res.body === null) {
    await res.body?.cancel();
    throw new TsbuildError('CONTEXT', `${options.what}: downloading ${url} failed: HTTP ${res.status}`, {
      hint: 'check the URL; the server must answer 200 with the file',
    });
  }
  const blob = await services.store.blobs.put(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>));
  const filename = dispositionName(res.headers.get('content-disposition')) ?? urlName(url);
  if (filename === undefined) {
    throw new TsbuildError('DF_PLAN', `${options.what}: cannot tell a file name from ${url}`, {
      hint: 'give a destination file name (a path not ending in /)',
    });
  }
  const record: UrlRecord = {
    url,
    ...(res.headers.get('etag') !== null && { etag: res.headers.get('etag')! }),
    ...(res.headers.get('last-modified') !== null && { lastModified: res.headers.get('last-modified')! }),
    digest: blob.digest,
    size: blob.size,
    filename,
  };
  const file = remoteOf(record);
  checkChecksum(file, options.checksum, options.what);
  await cache.put(record);
  return file;
}
