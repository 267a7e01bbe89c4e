/** What a registry login is made of, and where the client asks for one. */

export type Credentials =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** An OAuth2 refresh token some registries hand out at login instead of keeping a password. */
  | { readonly kind: 'identity-token'; readonly username: string; readonly token: string };

export interface CredentialSource {
  /** Credentials for a registry name as written in references (`docker.io`, `127.0.0.1:5000`). */
  get(registry: string): Promise<Credentials | undefined>;
}

/** Fixed credentials per registry, for library callers that hold their own secrets. */
export function createStaticCredentials(byRegistry: Readonly<Record<string, Credentials>>): CredentialSource {
  return {
    async get(registry) {
      return byRegistry[registry];
    },
  } satisfies CredentialSource;
}
