/**
 * The distribution-spec client for one registry: manifests, blobs and tags over the transport,
 * with auth challenges answered and HTTP failures turned into errors that say what to do.
 * Blob uploads live in upload.ts.
 */
import { pipeline, type Readable } from 'node:stream';
import { TsbuildError } from '../errors.ts';
import { type Digest, isDigest, sha256OfBytes } from '../image/digest.ts';
import type { Descriptor } from '../image/types.ts';
import { createAuthenticator } from './auth/authenticator.ts';
import type { CredentialSource } from './auth/credentials.ts';
import { registryBaseUrl } from './hosts.ts';
import { MANIFEST_ACCEPT, type ParsedManifest, parseManifest } from './manifest.ts';
import {
  createTransport,
  type HttpMethod,
  type Transport,
  type TransportOptions,
  type TransportResponse,
} from './transport.ts';
import { createVerifier, type ExpectedContent } from './verify.ts';

export interface RegistryClientOptions {
  /** Registry name as in references: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  readonly registry: string;
  readonly credentials?: CredentialSource;
  /** Hosts (with or without port) that may be spoken to over plain HTTP besides loopback. */
  readonly insecureRegistries?: readonly string[];
  readonly transport?: TransportOptions;
}

export interface FetchedManifest {
  readonly digest: Digest;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly manifest: ParsedManifest;
}

export type Access = 'pull' | 'push';

export interface GetBlobOptions {
  readonly signal?: AbortSignal;
  /** Running count of bytes received. */
  readonly onBytes?: (received: number) => void;
}

export interface ApiRequest {
  readonly method: HttpMethod;
  /** Path under `/v2/` or an absolute URL (upload locations). */
  readonly path: string;
  /** Absent for registry-level requests (`/v2/`), which need no scope. */
  readonly repository?: string;
  readonly access: Access;
  /** Extra scopes, e.g. pull on a mount's source repository. */
  readonly extraScopes?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Parameters<Transport['send']>[0]['body'];
  readonly signal?: AbortSignal;
}

export interface RegistryClient {
  readonly registry: string;
  /** Sends an API request, answering one auth challenge. */
  request(req: ApiRequest): Promise<TransportResponse>;
  /** Turns an unexpected response into a TsbuildError naming registry, repository and `what`. */
  failure(response: TransportResponse, repository: string, what: string): Promise<TsbuildError>;
  /** Checks the registry answers `/v2/` and accepts our credentials (what `login` verifies). */
  checkLogin(signal?: AbortSignal): Promise<void>;
  getManifest(repository: string, reference: string, signal?: AbortSignal): Promise<FetchedManifest>;
  /** Descriptor of a manifest if it exists, without its body. */
  headManifest(repository: string, reference: string, signal?: AbortSignal): Promise<Descriptor | undefined>;
  putManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    signal?: AbortSignal,
  ): Promise<Digest>;
  /** Size of a blob if the repository has it. */
  blobExists(repository: string, digest: Digest, signal?: AbortSignal): Promise<number | undefined>;
  /** The blob's bytes, failing with DIGEST_MISMATCH at the end if they are not `expected`. */
  getBlob(repository: string, expected: ExpectedContent, options?: GetBlobOptions): Promise<Readable>;
  listTags(repository: string, signal?: AbortSignal): Promise<readonly string[]>;
}

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export function scopeFor(repository: string, access: Access): string {
  return `repository:${repository}:${access === 'push' ? 'pull,push' : 'pull'}`;
}

/** Next page from an RFC 5988 Link header: `</v2/x/tags/list?last=a&n=100>; rel="next"`. */
function nextLink(link: string | null): string | undefined {
  return link?.match(/<([^>]+)>\s*;\s*rel="?next"?/)?.[1];
}

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const { registry } = options;
  const base = registryBaseUrl(registry, options.insecureRegistries ?? []);
  const transport = createTransport(options.transport);
  const auth = createAuthenticator({ registry, transport, credentials: options.credentials });

  const urlOf = (path: string): string => new URL(path, `${base}/v2/`).href;

  async function request(req: ApiRequest): Promise<TransportResponse> {
    const own = req.repository === undefined ? [] : [scopeFor(req.repository, req.access)];
    const scopes = [...own, ...(req.extraScopes ?? [])];
    const send = async (authorization: string | undefined): Promise<TransportResponse> =>
      transport.send({
        method: req.method,
        url: urlOf(req.path),
        headers: { ...req.headers, ...(authorization ? { authorization } : {}) },
        body: req.body,
        signal: req.signal,
      });
    const sent = await auth.header(scopes, req.signal);
    const first = await send(sent);
    if (first.status !== 401) return first;
    if (!(await auth.challenge(first, scopes, sent, req.signal))) return first;
    await first.discard();
    return send(await auth.header(scopes, req.signal));
  }

  async function registryErrors(response: TransportResponse): Promise<string> {
    try {
      const text = (await response.bytes()).subarray(0, 16 * 1024).toString('utf8');
      const parsed = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      return (parsed.errors ?? []).map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
    } catch {
      return '';
    }
  }

  async function failure(
    response: TransportResponse,
    repository: string,
    what: string,
  ): Promise<TsbuildError> {
    const detail = await registryErrors(response);
    const suffix = detail ? ` (${detail})` : '';
    const where = `${what} in ${repository} on ${registry}`;
    switch (response.status) {
      case 401:
        return new TsbuildError(
          'REGISTRY_AUTH',
          `${registry} requires authentication for ${where}${suffix}`,
          {
            hint: (await auth.hasCredentials())
              ? `your saved credentials were refused; log in again: tsbuild login ${registry}`
              : `log in first: tsbuild login ${registry}`,
          },
        );
      case 403:
        return new TsbuildError('REGISTRY_AUTH', `${registry} denied access to ${where}${suffix}`, {
          hint: `check that the repository name is right and that your account may access ${repository}`,
        });
      case 404:
        return new TsbuildError('REGISTRY_NOT_FOUND', `${where}: not found${suffix}`, {
          hint: 'check the repository name, tag or digest; private repositories also answer "not found" without login',
        });
      default:
        return new TsbuildError('REGISTRY', `${where}: registry answered HTTP ${response.status}${suffix}`, {
          hint:
            response.status >= 500
              ? 'the registry is failing; retry later'
              : 'the request was refused as shown',
        });
    }
  }

  function manifestRequest(
    method: 'GET' | 'HEAD',
    repository: string,
    reference: string,
    signal: AbortSignal | undefined,
  ): Promise<TransportResponse> {
    const path = `${repository}/manifests/${reference}`;
    return request({
      method,
      path,
      repository,
      access: 'pull',
      headers: { accept: MANIFEST_ACCEPT },
      signal,
    });
  }

  async function getManifest(
    repository: string,
    reference: string,
    signal?: AbortSignal,
  ): Promise<FetchedManifest> {
    const what = `manifest ${reference}`;
    const res = await manifestRequest('GET', repository, reference, signal);
    if (res.status !== 200) throw await failure(res, repository, what);
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > MAX_MANIFEST_BYTES) {
      await res.discard();
      throw new TsbuildError(
        'REGISTRY',
        `${what} in ${repository} on ${registry} is ${declared} bytes, too big for a manifest`,
      );
    }
    const bytes = await res.bytes();
    const digest = sha256OfBytes(bytes);
    const expected = reference.includes(':')
      ? reference
      : (res.headers.get('docker-content-digest') ?? digest);
    if (expected !== digest) {
      throw new TsbuildError(
        'DIGEST_MISMATCH',
        `${what} in ${repository} on ${registry} hashes to ${digest}, not ${expected}`,
        {
          hint: 'the registry served corrupt data; nothing was stored, retry the pull',
        },
      );
    }
    const manifest = parseManifest(
      bytes,
      res.headers.get('content-type') ?? undefined,
      `${registry}/${repository}@${digest}`,
    );
    return { digest, mediaType: manifest.mediaType, bytes, manifest };
  }

  return {
    registry,
    request,
    failure,

    async checkLogin(signal) {
      const res = await request({ method: 'GET', path: '', access: 'pull', signal });
      if (res.status === 200) {
        await res.discard();
        return;
      }
      throw await failure(res, '(registry root)', 'login check');
    },

    getManifest,

    async headManifest(repository, reference, signal) {
      const res = await manifestRequest('HEAD', repository, reference, signal);
      await res.discard();
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw await failure(res, repository, `manifest ${reference}`);
      const digest = res.headers.get('docker-content-digest');
      const size = Number(res.headers.get('content-length'));
      if (!isDigest(digest)) {
        const fetched = await getManifest(repository, reference, signal);
        return { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.bytes.length };
      }
      return { mediaType: res.headers.get('content-type') ?? '', digest, size };
    },

    async putManifest(repository, reference, bytes, mediaType, signal) {
      const res = await request({
        method: 'PUT',
        path: `${repository}/manifests/${reference}`,
        repository,
        access: 'push',
        headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
        body: () => bytes,
        signal,
      });
      if (res.status !== 201 && res.status !== 200)
        throw await failure(res, repository, `manifest ${reference}`);
      await res.discard();
      const digest = sha256OfBytes(bytes);
      const echoed = res.headers.get('docker-content-digest');
      if (echoed && echoed !== digest) {
        throw new TsbuildError(
          'DIGEST_MISMATCH',
          `${registry} stored manifest ${reference} in ${repository} as ${echoed}, expected ${digest}`,
        );
      }
      return digest;
    },

    async blobExists(repository, digest, signal) {
      const res = await request({
        method: 'HEAD',
        path: `${repository}/blobs/${digest}`,
        repository,
        access: 'pull',
        signal,
      });
      await res.discard();
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw await failure(res, repository, `blob ${digest}`);
      return Number(res.headers.get('content-length') ?? 0);
    },

    async getBlob(repository, expected, options = {}) {
      const res = await request({
        method: 'GET',
        path: `${repository}/blobs/${expected.digest}`,
        repository,
        access: 'pull',
        signal: options.signal,
      });
      if (res.status !== 200) throw await failure(res, repository, `blob ${expected.digest}`);
      const where = `blob ${expected.digest} from ${registry}/${repository}`;
      const verifier = createVerifier(expected, where, options.onBytes);
      // Failures reach the reader as the verifier's error; the callback only keeps them handled.
      return pipeline(res.stream(), verifier, () => undefined);
    },

    async listTags(repository, signal) {
      const tags: string[] = [];
      let path: string | undefined = `${repository}/tags/list`;
      while (path) {
        const res = await request({ method: 'GET', path, repository, access: 'pull', signal });
        if (res.status !== 200) throw await failure(res, repository, 'tag list');
        const page = JSON.parse(await res.text()) as { tags?: string[] | null };
        tags.push(...(page.tags ?? []));
        path = nextLink(res.headers.get('link'));
      }
      return tags;
    },
  } satisfies RegistryClient;
}
