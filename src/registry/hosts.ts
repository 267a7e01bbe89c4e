/**
 * Registry host names: which scheme to speak, which API endpoint serves a registry name, and which
 * key its credentials live under in ~/.docker/config.json.
 */
import { isIP } from 'node:net';

/** The registry name Docker uses for unqualified references (`busybox`). */
export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';
/** Docker writes Hub credentials under this legacy key. */
const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** `[::1]:5000` → `::1`, `127.0.0.1:5000` → `127.0.0.1`, `localhost` → `localhost`. */
export function hostnameOf(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(1, end);
  }
  const colons = host.split(':').length - 1;
  if (colons === 1) return host.slice(0, host.indexOf(':'));
  return host;
}

export function isLoopbackHost(host: string): boolean {
  const name = hostnameOf(host).toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || name === '0:0:0:0:0:0:0:1';
  return false;
}

/** Plain HTTP is spoken only to loopback hosts and to hosts the user named as insecure. */
export function schemeFor(host: string, insecureRegistries: readonly string[]): 'http' | 'https' {
  if (isLoopbackHost(host)) return 'http';
  const name = hostnameOf(host);
  return insecureRegistries.some((entry) => entry === host || entry === name) ? 'http' : 'https';
}

/** Where the distribution API of a registry name is served. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB || registry === 'index.docker.io' ? DOCKER_HUB_API : registry;
}

export function registryBaseUrl(registry: string, insecureRegistries: readonly string[]): string {
  const host = apiHost(registry);
  return `${schemeFor(host, insecureRegistries)}://${host}`;
}

/** The key `docker login` writes for this registry in config.json. */
export function authKeyFor(registry: string): string {
  return registry === DOCKER_HUB || registry === 'index.docker.io' || registry === DOCKER_HUB_API
    ? DOCKER_HUB_AUTH_KEY
    : registry;
}

/**
 * Reduces a config.json key (`https://host:5000/v1/`, `host:5000`) to its host, the way Docker
 * matches keys, so credentials saved by older clients with a scheme still apply.
 */
export function normaliseAuthKey(key: string): string {
  const withoutScheme = key.replace(/^[a-z]+:\/\//i, '');
  const host = withoutScheme.split('/')[0] ?? withoutScheme;
  return host === 'index.docker.io' || host === DOCKER_HUB_API ? DOCKER_HUB : host;
}
