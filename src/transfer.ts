/**
 * Registry commands as library functions over one store: what `tsbuild
 * pull`, `push`, `login` and `logout` do, callable by build servers too.
 */
import { TsbuildError } from './errors.ts';
import { ensureCompressed, familiarName, type Platform, parseReference } from './image/index.ts';
import { openStore, type StoreOptions, underLease } from './images.ts';
import {
  type PullEvent,
  type PushEvent,
  pullImage,
  pushImage,
  login as registryLogin,
  logout as registryLogout,
} from './registry/index.ts';

export type { PullEvent, PushEvent };

export interface RegistryOptions {
  /** Hosts that may be spoken to over plain HTTP besides loopback ones. */
  readonly insecureRegistries?: readonly string[];
  readonly signal?: AbortSignal;
  /** Docker config file with the logins (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json). */
  readonly dockerConfig?: string;
}

export interface PullImageOptions extends StoreOptions, RegistryOptions {
  /** `os/arch[/variant]`; default: this host's platform. */
  readonly platform?: string;
  readonly onProgress?: (event: PullEvent) => void;
}

export interface PulledImage {
  readonly name: string;
  readonly digest: string;
  readonly bytesFetched: number;
}

function platformOf(text: string): Platform {
  const [os, architecture, variant] = text.split('/');
  if (os === undefined || architecture === undefined || os === '' || architecture === '')
    throw new TsbuildError('USAGE', `platform "${text}" is not os/arch[/variant]`, {
      hint: 'e.g. linux/amd64',
    });
  return { os, architecture, ...(variant !== undefined && { variant }) };
}

export async function pull(name: string, options: PullImageOptions = {}): Promise<PulledImage> {
  const store = await openStore(options);
  const ref = parseReference(name);
  const result = await underLease(options, () =>
    pullImage(store, ref, {
      ...(options.insecureRegistries !== undefined && { insecureRegistries: options.insecureRegistries }),
      ...(options.signal !== undefined && { signal: options.signal }),
      ...(options.platform !== undefined && { platform: platformOf(options.platform) }),
      ...(options.onProgress !== undefined && { onProgress: options.onProgress }),
    }),
  );
  return { name: familiarName(ref), digest: result.resolvedDigest, bytesFetched: result.bytesFetched };
}

export interface PushImageOptions extends StoreOptions, RegistryOptions {
  readonly compression?: 'gzip' | 'zstd';
  readonly compressionLevel?: number;
  readonly onProgress?: (event: PushEvent) => void;
}

export interface PushedImage {
  readonly name: string;
  /** Manifest digest on the registry: what `name@digest` pulls. */
  readonly digest: string;
}

/** Pushes `name` (to `target` when given: push under another name). */
export async function push(
  name: string,
  target?: string,
  options: PushImageOptions = {},
): Promise<PushedImage> {
  const store = await openStore(options);
  const result = await pushImage(store, name, target, {
    compression: {
      compression: options.compression ?? 'gzip',
      ...(options.compressionLevel !== undefined && { level: options.compressionLevel }),
    },
    ensureCompressed: (layer, choice) => ensureCompressed(store, layer, choice),
    ...(options.insecureRegistries !== undefined && { insecureRegistries: options.insecureRegistries }),
    ...(options.signal !== undefined && { signal: options.signal }),
    ...(options.onProgress !== undefined && { onProgress: options.onProgress }),
  });
  return { name: familiarName(result.ref), digest: result.digest };
}

/** Docker's registry key for a server name: Docker Hub's logins live under its v1 URL. */
export function registryHost(server: string | undefined): string {
  if (server === undefined || server === '' || server === 'docker.io' || server === 'index.docker.io')
    return 'docker.io';
  return server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

export async function login(
  server: string | undefined,
  username: string,
  password: string,
  options: RegistryOptions = {},
): Promise<void> {
  await registryLogin(registryHost(server), username, password, {
    ...(options.insecureRegistries !== undefined && { insecureRegistries: options.insecureRegistries }),
    ...(options.signal !== undefined && { signal: options.signal }),
    ...(options.dockerConfig !== undefined && { configPath: options.dockerConfig }),
  });
}

/** Resolves false when there was no login to forget. */
export function logout(server: string | undefined, options: RegistryOptions = {}): Promise<boolean> {
  return registryLogout(
    registryHost(server),
    options.dockerConfig !== undefined ? { configPath: options.dockerConfig } : {},
  );
}
