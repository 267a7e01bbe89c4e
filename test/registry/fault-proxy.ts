/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of a test registry: answers chosen requests
 * with an error status (500, 429 + Retry-After), cuts a body half-way, flips a byte of a body, or
 * never answers. Optionally guards the registry with its own Bearer token service.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Fault =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string }
  | { readonly kind: 'reset-mid-body' }
  | { readonly kind: 'corrupt' }
  | { readonly kind: 'hang' };

export interface FaultRule {
  readonly method?: string;
  /** Matched against the request path (with query). */
  readonly path: RegExp;
  readonly fault: Fault;
  /** How many matching requests get the fault; then they pass through. */
  times: number;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly at: number;
}

export interface BearerGuard {
  readonly username: string;
  readonly password: string;
}

export interface FaultProxy {
  readonly host: string;
  readonly seen: SeenRequest[];
  /** Scopes of every token the token service issued, in order. */
  readonly issuedScopes: string[][];
  addRule(rule: FaultRule): void;
  clearRules(): void;
  close(): Promise<void>;
}

function requiredScopes(method: string, url: URL): string[] | undefined {
  const m = url.pathname.match(/^\/v2\/(.+?)\/(manifests|blobs|tags)\//);
  if (!m) return undefined;
  const repo = m[1]!;
  const scopes = [`repository:${repo}:${method === 'GET' || method === 'HEAD' ? 'pull' : 'push'}`];
  const from = url.searchParams.get('from');
  if (from) scopes.push(`repository:${from}:pull`);
  return scopes;
}

function granted(scopes: readonly string[], needed: readonly string[]): boolean {
  return needed.every((need) => {
    const [, repo, action] = need.split(':');
    return scopes.some((s) => {
      const [, r, actions] = s.split(':');
      return r === repo && (actions ?? '').split(',').includes(action!);
    });
  });
}

export async function startFaultProxy(upstream: string, guard?: BearerGuard): Promise<FaultProxy> {
  const rules: FaultRule[] = [];
  const seen: SeenRequest[] = [];
  const issuedScopes: string[][] = [];
  const tokens = new Map<string, string[]>();
  const sockets = new Set<Socket>();
  const [upstreamHost, upstreamPort] = upstream.split(':');
  let selfHost = '';

  function issue(res: ServerResponse, scopes: string[]): void {
    const token = randomBytes(16).toString('hex');
    tokens.set(token, scopes);
    issuedScopes.push(scopes);
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token, expires_in: 300 }));
  }

  /** GET with Basic credentials, or the OAuth2 POST form with the password as refresh token. */
  function tokenService(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const refuse = () =>
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== guard!.password)
          refuse();
        else issue(res, (form.get('scope') ?? '').split(' ').filter(Boolean));
      });
      return;
    }
    const expected = `Basic ${Buffer.from(`${guard!.username}:${guard!.password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) refuse();
    else
      issue(
        res,
        url.searchParams.getAll('scope').flatMap((s) => s.split(' ')),
      );
  }

  function challenge(res: ServerResponse, needed: readonly string[] | undefined): void {
    const scope = needed ? `,scope="${needed.join(' ')}"` : '';
    res
      .writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer realm="http://${selfHost}/token",service="fault-proxy"${scope}`,
      })
      .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  }

  function forward(req: IncomingMessage, res: ServerResponse, fault: Fault | undefined): void {
    const headers = { ...req.headers };
    if (guard) delete headers.authorization;
    const upstreamReq = httpRequest(
      { host: upstreamHost, port: Number(upstreamPort), method: req.method, path: req.url, headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        let first = true;
        up.on('data', (chunk: Buffer) => {
          if (first && fault?.kind === 'reset-mid-body') {
            res.write(chunk.subarray(0, Math.max(1, chunk.length >> 1)), () => res.socket?.destroy());
            up.destroy();
            return;
          }
          if (first && fault?.kind === 'corrupt') {
            const copy = Buffer.from(chunk);
            copy[0] = (copy[0] ?? 0) ^ 0xff;
            chunk = copy;
          }
          first = false;
          res.write(chunk);
        });
        up.on('end', () => res.end());
      },
    );
    upstreamReq.on('error', () => res.destroy());
    req.pipe(upstreamReq);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    seen.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
      at: Date.now(),
    });
    if (guard && url.pathname === '/token') {
      tokenService(req, res, url);
      return;
    }
    if (guard) {
      const needed = requiredScopes(req.method ?? 'GET', url);
      const token = req.headers.authorization?.replace(/^Bearer /, '');
      const scopes = token ? tokens.get(token) : undefined;
      if (!scopes || (needed && !granted(scopes, needed))) {
        req.resume();
        challenge(res, needed);
        return;
      }
    }
    const rule = rules.find(
      (r) => r.times > 0 && r.path.test(req.url ?? '') && (r.method === undefined || r.method === req.method),
    );
    if (rule) rule.times--;
    const fault = rule?.fault;
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'status') {
      req.resume();
      res.writeHead(fault.status, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}).end();
      return;
    }
    forward(req, res, fault);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  selfHost = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    host: selfHost,
    seen,
    issuedScopes,
    addRule: (rule) => rules.push(rule),
    clearRules: () => {
      rules.length = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
