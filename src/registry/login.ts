/**
 * `login` checks a username and password against the registry (as `docker login` does) and saves
 * them to the Docker config; `logout` forgets them. Neither ever prints the password.
 */
import { createStaticCredentials } from './auth/credentials.ts';
import { type DockerConfigOptions, removeLogin, saveLogin } from './auth/docker-config.ts';
import { createRegistryClient } from './client.ts';
import type { TransportOptions } from './transport.ts';

export interface LoginOptions extends DockerConfigOptions {
  readonly insecureRegistries?: readonly string[];
  readonly transport?: TransportOptions;
  readonly signal?: AbortSignal;
}

export async function login(
  registry: string,
  username: string,
  password: string,
  options: LoginOptions = {},
): Promise<void> {
  const client = createRegistryClient({
    registry,
    credentials: createStaticCredentials({ [registry]: { kind: 'basic', username, password } }),
    insecureRegistries: options.insecureRegistries ?? [],
    ...(options.transport ? { transport: options.transport } : {}),
  });
  await client.checkLogin(options.signal);
  await saveLogin(registry, username, password, options.configPath ? { configPath: options.configPath } : {});
}

/** Resolves false when there was no login to forget. */
export function logout(registry: string, options: DockerConfigOptions = {}): Promise<boolean> {
  return removeLogin(registry, options);
}
