/**
 * Answers registry auth challenges (WWW-Authenticate): Basic with stored credentials, or the
 * Bearer token flow (realm, service, scope) with tokens cached per scope set until they expire.
 * Secrets go only into Authorization headers and token requests, never into messages.
 */
import { parse as parseAuthHeader } from 'auth-header';
import { TsbuildError } from '../../errors.ts';
import type { Transport, TransportResponse } from '../transport.ts';
import type { CredentialSource, Credentials } from './credentials.ts';

export interface Authenticator {
  /** The Authorization header for a request needing `scopes`, when one is known. */
  header(scopes: readonly string[], signal?: AbortSignal): Promise<string | undefined>;
  /**
   * Learns from a 401 to a request that carried `sent` as Authorization; resolves true when
   * repeating it with `header()` can succeed.
   */
  challenge(
    response: TransportResponse,
    scopes: readonly string[],
    sent: string | undefined,
    signal?: AbortSignal,
  ): Promise<boolean>;
  /** Whether credentials were found for this registry (for error hints). */
  hasCredentials(): Promise<boolean>;
}

type Scheme =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'basic' }
  | { readonly kind: 'bearer'; readonly realm: string; readonly service: string | undefined };

interface CachedToken {
  readonly value: string;
  readonly expiresAt: number;
}

export interface AuthenticatorOptions {
  readonly registry: string;
  readonly transport: Transport;
  readonly credentials: CredentialSource | undefined;
}

function basicHeader(creds: Credentials): string {
  const secret = creds.kind === 'basic' ? creds.password : creds.token;
  return `Basic ${Buffer.from(`${creds.username}:${secret}`).toString('base64')}`;
}

function param(params: Record<string, string | string[]>, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { registry, transport } = options;
  let scheme: Scheme = { kind: 'unknown' };
  let credentials: Promise<Credentials | undefined> | undefined;
  const tokens = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<string>>();

  const creds = (): Promise<Credentials | undefined> => {
    credentials ??= options.credentials ? options.credentials.get(registry) : Promise.resolve(undefined);
    return credentials;
  };

  async function fetchToken(
    bearer: Extract<Scheme, { kind: 'bearer' }>,
    scopes: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const login = await creds();
    const url = new URL(bearer.realm);
    let response: TransportResponse;
    if (login?.kind === 'identity-token') {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: login.token,
        client_id: 'tsbuild',
      });
      if (bearer.service) form.set('service', bearer.service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      response = await transport.send({
        method: 'POST',
        url: url.href,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: () => form.toString(),
        signal,
      });
    } else {
      if (bearer.service) url.searchParams.set('service', bearer.service);
      for (const scope of scopes) url.searchParams.append('scope', scope);
      response = await transport.send({
        method: 'GET',
        url: url.href,
        headers: login ? { authorization: basicHeader(login) } : {},
        signal,
      });
    }
    if (response.status === 401 || response.status === 403) {
      await response.discard();
      throw new TsbuildError(
        'REGISTRY_AUTH',
        `token service ${url.host} for ${registry} rejected ${login ? 'your credentials' : 'anonymous access'}`,
        {
          hint: login ? `log in again: tsbuild login ${registry}` : `log in first: tsbuild login ${registry}`,
        },
      );
    }
    if (response.status !== 200) {
      await response.discard();
      throw new TsbuildError(
        'REGISTRY_AUTH',
        `token service ${url.host} for ${registry} answered HTTP ${response.status}`,
        {
          hint: 'retry later; if it persists the registry’s auth service is failing',
        },
      );
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(await response.text()) as typeof body;
    } catch {
      throw new TsbuildError(
        'REGISTRY_AUTH',
        `token service ${url.host} for ${registry} sent a reply that is not JSON`,
      );
    }
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new TsbuildError('REGISTRY_AUTH', `token service ${url.host} for ${registry} sent no token`);
    }
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    // Renew a little early so a token does not expire between header() and the request landing.
    tokens.set(scopes.join(' '), { value: token, expiresAt: Date.now() + Math.max(1, lifetime - 10) * 1000 });
    return token;
  }

  function token(scopes: readonly string[], signal: AbortSignal | undefined): Promise<string> {
    if (scheme.kind !== 'bearer')
      throw new TsbuildError('INTERNAL', 'token requested without a Bearer challenge');
    const key = scopes.join(' ');
    const cached = tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return Promise.resolve(cached.value);
    let pending = inFlight.get(key);
    if (!pending) {
      pending = fetchToken(scheme, scopes, signal).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  }

  return {
    async header(scopes, signal) {
      if (scheme.kind === 'basic') {
        const login = await creds();
        return login ? basicHeader(login) : undefined;
      }
      if (scheme.kind === 'bearer') return `Bearer ${await token(scopes, signal)}`;
      return undefined;
    },

    async challenge(response, scopes, sent, signal) {
      const header = response.headers.get('www-authenticate');
      if (!header) return false;
      let parsed: ReturnType<typeof parseAuthHeader>;
      try {
        parsed = parseAuthHeader(header);
      } catch {
        return false;
      }
      const kind = parsed.scheme.toLowerCase();
      if (kind === 'basic') {
        scheme = { kind: 'basic' };
        // Requests sent before the scheme was known went without credentials: repeat those.
        return sent === undefined && (await creds()) !== undefined;
      }
      if (kind !== 'bearer') return false;
      const realm = param(parsed.params, 'realm');
      if (!realm) return false;
      scheme = { kind: 'bearer', realm, service: param(parsed.params, 'service') };
      const key = scopes.join(' ');
      const cached = tokens.get(key);
      // A concurrent request may have renewed the token already; only a refused one is dropped.
      if (cached && sent !== `Bearer ${cached.value}`) return true;
      tokens.delete(key);
      await token(scopes, signal);
      return true;
    },

    async hasCredentials() {
      return (await creds()) !== undefined;
    },
  } satisfies Authenticator;
}
