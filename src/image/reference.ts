import { TsbuildError } from '../errors.ts';
import { type Digest, parseDigest } from './digest.ts';

/** A fully normalised image reference: `registry/repository[:tag][@digest]`. */
export interface Reference {
  /** e.g. `docker.io`, `localhost:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** e.g. `library/busybox`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

export const DEFAULT_REGISTRY = 'docker.io';
export const DEFAULT_TAG = 'latest';

// The grammar of github.com/distribution/reference, restated.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const MAX_NAME = 255;

function fail(input: string, what: string): never {
  throw new TsbuildError('USAGE', `invalid image reference "${input}": ${what}`, {
    hint: 'use [registry[:port]/][repository/]name[:tag|@sha256:<hex>], e.g. busybox:latest',
  });
}

/** Whether the first path component names a registry host rather than a repository part. */
function looksLikeRegistry(component: string): boolean {
  return (
    component.includes('.') ||
    component.includes(':') ||
    component === 'localhost' ||
    component.startsWith('[')
  );
}

/**
 * Parses and normalises like Docker: `busybox` → `docker.io/library/busybox:latest`. A reference with
 * a digest and no tag gets no default tag.
 */
export function parseReference(input: string): Reference {
  if (input === '') fail(input, 'it is empty');
  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const digestText = rest.slice(at + 1);
    try {
      digest = parseDigest(digestText);
    } catch {
      fail(input, `"${digestText}" is not a sha256 digest`);
    }
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon !== -1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail(input, `tag "${tag}" must be 1-128 of [A-Za-z0-9_.-], not starting with . or -`);
  }
  if (rest === '') fail(input, 'the name is empty');
  const parts = rest.split('/');
  let registry = DEFAULT_REGISTRY;
  if (parts.length > 1 && looksLikeRegistry(parts[0]!)) {
    registry = parts.shift()!;
    if (!DOMAIN.test(registry)) fail(input, `"${registry}" is not a valid registry host[:port]`);
    if (registry === 'index.docker.io') registry = DEFAULT_REGISTRY;
  }
  if (registry === DEFAULT_REGISTRY && parts.length === 1) parts.unshift('library');
  for (const part of parts) {
    if (part !== part.toLowerCase()) fail(input, 'repository names must be lowercase');
    if (!COMPONENT.test(part)) {
      fail(input, `path component "${part}" may hold only a-z, 0-9 and single separators (. _ __ -)`);
    }
  }
  const repository = parts.join('/');
  if (`${registry}/${repository}`.length > MAX_NAME)
    fail(input, `the name is longer than ${MAX_NAME} characters`);
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  return { registry, repository, ...(tag === undefined ? {} : { tag }), ...(digest ? { digest } : {}) };
}

/** `registry/repository` without tag or digest. */
export function repositoryName(ref: Reference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The full normalised form, e.g. `docker.io/library/busybox:latest`. */
export function formatReference(ref: Reference): string {
  return `${repositoryName(ref)}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The short form Docker displays: `busybox:latest`, `me/app:1`, `localhost:5000/app:1`. */
export function familiarName(ref: Reference): string {
  return `${familiarRepository(ref)}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest ? `@${ref.digest}` : ''}`;
}

export function familiarRepository(ref: Reference): string {
  if (ref.registry !== DEFAULT_REGISTRY) return repositoryName(ref);
  return ref.repository.startsWith('library/') && ref.repository.split('/').length === 2
    ? ref.repository.slice('library/'.length)
    : ref.repository;
}

export function withTag(ref: Reference, tag: string): Reference {
  return parseReference(`${repositoryName(ref)}:${tag}`);
}
