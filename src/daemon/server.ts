/**
 * `tsbuild serve`: one Builder (one store, warm caches) behind a small REST
 * API on a UNIX socket, optionally on loopback TCP with a token. Every
 * build a client starts runs on the shared Builder, so concurrent clients
 * share identical steps.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Builder, createBuilder } from '../build.ts';
import { withBuildRecords } from '../build-records.ts';
import { isTsbuildError, TsbuildError } from '../errors.ts';
import { handleBuild } from './build-route.ts';
import type { ContextEntry } from './context-walk.ts';
import { groupId, hasToken, listenTcp, listenUnix } from './listen.ts';
import { createContextMirrors } from './mirror.ts';
import { API, type DaemonInfo, DEFAULT_SOCKET, toWireError } from './protocol.ts';

export interface DaemonOptions {
  readonly root?: string;
  readonly runtime?: string;
  readonly maxParallelism?: number;
  /** Automatic GC budget in bytes, or false (see BuilderOptions.gcKeepStorage). */
  readonly gcKeepStorage?: number | false;
  /** UNIX socket path (default /run/tsbuild/tsbuild.sock). */
  readonly socket?: string;
  /** Group (name or gid) allowed to use the socket besides root. */
  readonly group?: string;
  /** Also listen on loopback TCP; requests must carry `Authorization: Bearer <token>`. */
  readonly tcp?: { readonly host: string; readonly port: number; readonly token: string };
  readonly version: string;
  readonly log?: (line: string) => void;
}

export interface Daemon {
  readonly socket: string;
  readonly tcpPort: number | undefined;
  readonly root: string;
  close(): Promise<void>;
}

const JSON_LIMIT = 256 * 1024 * 1024;

async function readJson<T>(req: IncomingMessage): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > JSON_LIMIT) throw new TsbuildError('USAGE', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const log = options.log ?? (() => {});
  const builder: Builder = withBuildRecords(
    await createBuilder({
      ...(options.root !== undefined && { root: options.root }),
      ...(options.runtime !== undefined && { runtime: options.runtime }),
      ...(options.maxParallelism !== undefined && { maxParallelism: options.maxParallelism }),
      ...(options.gcKeepStorage !== undefined && { gcKeepStorage: options.gcKeepStorage }),
      onGc: ({ report, error }) => {
        if (error !== undefined) log(`automatic GC failed: ${(error as Error).message}`);
        else if (report !== undefined)
          log(
            `automatic GC: ${report.records} records, ${report.snapshots} snapshots, ${report.freedBytes} bytes freed`,
          );
      },
    }),
  );
  const mirrors = createContextMirrors({ root: builder.root });
  const info: DaemonInfo = { version: options.version, root: builder.root, pid: process.pid };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://daemon');
    const plan = new RegExp(`^${API}/contexts/([^/]+)/plan$`).exec(url.pathname);
    if (req.method === 'GET' && url.pathname === `${API}/info`) return reply(res, 200, info);
    if (req.method === 'POST' && plan !== null)
      return reply(res, 200, await mirrors.plan(plan[1]!, await readJson<ContextEntry[]>(req)));
    if (req.method === 'POST' && url.pathname === `${API}/build`)
      return handleBuild(req, res, builder, mirrors, log);
    return reply(res, 404, { code: 'USAGE', message: `no route ${req.method} ${url.pathname}` });
  };

  const handler = (tokenRequired: string | undefined) => (req: IncomingMessage, res: ServerResponse) => {
    if (tokenRequired !== undefined && !hasToken(req, tokenRequired)) {
      reply(res, 401, { code: 'USAGE', message: 'missing or wrong token', hint: 'set TSBUILD_TOKEN' });
      return;
    }
    route(req, res).catch((error: unknown) => {
      log(`${req.method} ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) reply(res, isTsbuildError(error, 'USAGE') ? 400 : 500, toWireError(error));
      else res.destroy();
    });
  };

  const socket = options.socket ?? DEFAULT_SOCKET;
  const servers: Server[] = [];
  const unix = createServer(handler(undefined));
  await listenUnix(unix, socket, options.group === undefined ? undefined : groupId(options.group));
  servers.push(unix);
  let tcpPort: number | undefined;
  if (options.tcp !== undefined) {
    const tcp = createServer(handler(options.tcp.token));
    tcpPort = await listenTcp(tcp, options.tcp.host, options.tcp.port);
    servers.push(tcp);
  }
  log(
    `listening on unix://${socket}${tcpPort === undefined ? '' : ` and tcp://${options.tcp!.host}:${tcpPort}`}`,
  );
  return {
    socket,
    tcpPort,
    root: builder.root,
    async close() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
      await builder.close();
    },
  };
}
