/** The registry client's public surface: pull, push, login and the distribution API underneath. */

export { type Authenticator, createAuthenticator } from './auth/authenticator.ts';
export { type CredentialSource, type Credentials, createStaticCredentials } from './auth/credentials.ts';
export {
  createDockerConfigCredentials,
  type DockerConfigOptions,
  defaultDockerConfigPath,
} from './auth/docker-config.ts';
export {
  createRegistryClient,
  type FetchedManifest,
  type RegistryClient,
  type RegistryClientOptions,
} from './client.ts';
export { isLoopbackHost, schemeFor } from './hosts.ts';
export { type LoginOptions, login, logout } from './login.ts';
export { MANIFEST_ACCEPT, type ParsedManifest } from './manifest.ts';
export type { RegistryAccessOptions } from './options.ts';
export { DEFAULT_PLATFORM, parsePlatform, selectPlatform } from './platform.ts';
export { type BlobRole, type PullEvent, type PullOptions, type PullResult, pullImage } from './pull.ts';
export { type PushEvent, type PushOptions, type PushResult, pushImage } from './push.ts';
export type { CompressionChoice, EnsureCompressed, RegistryStore } from './store-port.ts';
export { createTransport, type Transport, type TransportOptions } from './transport.ts';
export { type PushBlobOptions, type PushBlobOutcome, pushBlob, type UploadMode } from './upload.ts';
