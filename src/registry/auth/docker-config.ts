/**
 * Docker's client config (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`): reading
 * credentials from `auths`, `credsStore` and `credHelpers`, and writing logins the way
 * `docker login` does (file mode 0600, other fields kept, atomic replace).
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { TsbuildError } from '../../errors.ts';
import { authKeyFor, normaliseAuthKey } from '../hosts.ts';
import { helperErase, helperGet, helperStore } from './cred-helper.ts';
import type { CredentialSource, Credentials } from './credentials.ts';

interface AuthEntry {
  auth?: string;
  identitytoken?: string;
  username?: string;
  password?: string;
}

interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [other: string]: unknown;
}

export interface DockerConfigOptions {
  /** Path of config.json; default from DOCKER_CONFIG or the home directory. */
  readonly configPath?: string;
}

export function defaultDockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

async function readConfig(path: string): Promise<DockerConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new TsbuildError('REGISTRY_AUTH', `cannot read Docker config ${path}`, { cause: err });
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as DockerConfigFile;
  } catch {
    // reported below without echoing the file, which holds secrets
  }
  throw new TsbuildError('REGISTRY_AUTH', `Docker config ${path} is not a JSON object`, {
    hint: 'fix or remove the file, then log in again',
  });
}

async function writeConfig(path: string, config: DockerConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(config, null, '\t')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(temp, 0o600);
  await rename(temp, path).catch(async (err: unknown) => {
    await rm(temp, { force: true });
    throw err;
  });
}

function findEntry(config: DockerConfigFile, registry: string): AuthEntry | undefined {
  const auths = config.auths ?? {};
  const exact = auths[authKeyFor(registry)] ?? auths[registry];
  if (exact) return exact;
  const host = normaliseAuthKey(registry);
  return Object.entries(auths).find(([key]) => normaliseAuthKey(key) === host)?.[1];
}

function decodeEntry(entry: AuthEntry): Credentials | undefined {
  let username = entry.username;
  let password = entry.password;
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  if (entry.identitytoken)
    return { kind: 'identity-token', username: username ?? '', token: entry.identitytoken };
  return username && password ? { kind: 'basic', username, password } : undefined;
}

function helperFor(config: DockerConfigFile, registry: string): string | undefined {
  const helpers = config.credHelpers ?? {};
  return helpers[registry] ?? helpers[authKeyFor(registry)] ?? config.credsStore;
}

/** Credentials as Docker finds them: credHelpers, then credsStore, then the file's `auths`. */
export function createDockerConfigCredentials(options: DockerConfigOptions = {}): CredentialSource {
  const path = options.configPath ?? defaultDockerConfigPath();
  return {
    async get(registry) {
      const config = await readConfig(path);
      const helper = helperFor(config, registry);
      if (helper) {
        const fromHelper = await helperGet(helper, authKeyFor(registry));
        if (fromHelper) return fromHelper;
      }
      const entry = findEntry(config, registry);
      return entry ? decodeEntry(entry) : undefined;
    },
  } satisfies CredentialSource;
}

/** Saves a login; `registry` as in references (`docker.io`, `127.0.0.1:5000`). */
export async function saveLogin(
  registry: string,
  username: string,
  password: string,
  options: DockerConfigOptions = {},
): Promise<void> {
  const path = options.configPath ?? defaultDockerConfigPath();
  const config = await readConfig(path);
  const key = authKeyFor(registry);
  const helper = helperFor(config, registry);
  const auths = { ...(config.auths ?? {}) };
  if (helper) {
    await helperStore(helper, key, username, password);
    delete auths[key];
  } else {
    auths[key] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
  }
  await writeConfig(path, { ...config, auths });
}

/** Forgets a login; returns whether there was one in the file or a helper. */
export async function removeLogin(registry: string, options: DockerConfigOptions = {}): Promise<boolean> {
  const path = options.configPath ?? defaultDockerConfigPath();
  const config = await readConfig(path);
  const host = normaliseAuthKey(registry);
  const auths = { ...(config.auths ?? {}) };
  const keys = Object.keys(auths).filter((key) => normaliseAuthKey(key) === host);
  for (const key of keys) delete auths[key];
  const helper = helperFor(config, registry);
  if (helper) await helperErase(helper, authKeyFor(registry));
  if (keys.length > 0) await writeConfig(path, { ...config, auths });
  return keys.length > 0 || helper !== undefined;
}
