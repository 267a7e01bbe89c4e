/**
 * Pushing one blob: existence check (HEAD), cross-repository mount, then a monolithic upload
 * (POST + PUT with the whole body streamed) or a chunked one (PATCH with Content-Range per chunk,
 * then PUT to close). Chunks are buffered one at a time so a retried PATCH can resend its bytes.
 */
import type { Readable } from 'node:stream';
import { TsbuildError } from '../errors.ts';
import type { Digest } from '../image/digest.ts';
import type { Descriptor } from '../image/types.ts';
import { type RegistryClient, scopeFor } from './client.ts';
import type { TransportResponse } from './transport.ts';

export type UploadMode =
  | { readonly kind: 'monolithic' }
  | { readonly kind: 'chunked'; readonly chunkSize: number };

export interface BlobUpload {
  readonly descriptor: Descriptor;
  /** Opens the blob's bytes; called again when a request has to be resent. */
  open(): Promise<Readable>;
}

export interface PushBlobOptions {
  readonly mode?: UploadMode;
  /** Another repository on the same registry that holds the blob: mount instead of upload. */
  readonly mountFrom?: string;
  readonly signal?: AbortSignal;
  /** Bytes sent so far, for progress. */
  readonly onBytes?: (sent: number) => void;
}

export type PushBlobOutcome = 'exists' | 'mounted' | 'uploaded';

function locationOf(res: TransportResponse, what: string): string {
  const location = res.headers.get('location');
  if (!location) throw new TsbuildError('REGISTRY', `${what}: registry sent no upload location`);
  return new URL(location, res.url).href;
}

function withDigest(location: string, digest: Digest): string {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  return url.href;
}

async function* chunks(stream: Readable, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of stream) {
    let buf = piece as Buffer;
    while (pendingBytes + buf.length >= size) {
      const take = size - pendingBytes;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending);
      buf = buf.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (buf.length > 0) {
      pending.push(buf);
      pendingBytes += buf.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

export async function pushBlob(
  client: RegistryClient,
  repository: string,
  blob: BlobUpload,
  options: PushBlobOptions = {},
): Promise<PushBlobOutcome> {
  const { digest, size } = blob.descriptor;
  const { signal } = options;
  const what = `blob ${digest}`;
  if ((await client.blobExists(repository, digest, signal)) !== undefined) return 'exists';

  const mount = options.mountFrom && options.mountFrom !== repository ? options.mountFrom : undefined;
  const start = await client.request({
    method: 'POST',
    path: mount
      ? `${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mount)}`
      : `${repository}/blobs/uploads/`,
    repository,
    access: 'push',
    extraScopes: mount ? [scopeFor(mount, 'pull')] : [],
    headers: { 'content-length': '0' },
    signal,
  });
  if (mount && start.status === 201) {
    await start.discard();
    return 'mounted';
  }
  if (start.status !== 202) throw await client.failure(start, repository, `upload of ${what}`);
  await start.discard();
  let location = locationOf(start, what);

  const mode = options.mode ?? { kind: 'monolithic' };
  if (mode.kind === 'chunked') {
    let offset = 0;
    for await (const chunk of chunks(await blob.open(), mode.chunkSize)) {
      const res = await client.request({
        method: 'PATCH',
        path: location,
        repository,
        access: 'push',
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': String(chunk.length),
          'content-range': `${offset}-${offset + chunk.length - 1}`,
        },
        body: () => chunk,
        signal,
      });
      if (res.status !== 202) throw await client.failure(res, repository, `chunk at ${offset} of ${what}`);
      await res.discard();
      location = locationOf(res, what);
      offset += chunk.length;
      options.onBytes?.(offset);
    }
    if (offset !== size) {
      throw new TsbuildError(
        'DIGEST_MISMATCH',
        `local ${what} has ${offset} bytes, its descriptor says ${size}`,
        {
          hint: 'the local store is damaged; rebuild or pull the image again',
        },
      );
    }
  }
  const finish = await client.request({
    method: 'PUT',
    path: withDigest(location, digest),
    repository,
    access: 'push',
    headers:
      mode.kind === 'chunked'
        ? { 'content-length': '0' }
        : { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: mode.kind === 'chunked' ? undefined : async () => countBytes(await blob.open(), options.onBytes),
    signal,
  });
  if (finish.status !== 201) throw await client.failure(finish, repository, `upload of ${what}`);
  await finish.discard();
  return 'uploaded';
}

function countBytes(stream: Readable, onBytes: ((sent: number) => void) | undefined): Readable {
  if (!onBytes) return stream;
  let sent = 0;
  stream.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    onBytes(sent);
  });
  return stream;
}
