/**
 * A Builder that builds through a daemon: the same interface as an
 * in-process Builder, so the CLI (and library users) switch with `--host`.
 * The context goes as a diff against the daemon's mirror of it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { Builder, BuildOptions, BuildResult } from '../build.ts';
import type { BuildOutputOptions } from '../build-outputs.ts';
import { readIgnoreFile } from '../builder/ignore-file.ts';
import { TsbuildError } from '../errors.ts';
import { packContextDiff } from './context-pack.ts';
import { type ContextEntry, walkContext } from './context-walk.ts';
import {
  API,
  type BuildRequestHeader,
  type ContextPlan,
  type DaemonInfo,
  decodeMessage,
  type Endpoint,
  fromWireError,
  parseEndpoint,
  type RemoteBuildOptions,
  type WireError,
} from './protocol.ts';

export interface ConnectOptions {
  /** `unix:///path/to.sock` or `tcp://127.0.0.1:PORT`. */
  readonly host: string;
  /** For TSBUILD_TOKEN (TCP only). */
  readonly env?: NodeJS.ProcessEnv;
}

interface Call {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string | Readable;
  readonly signal?: AbortSignal;
}

function unreachable(endpoint: Endpoint, error: NodeJS.ErrnoException): TsbuildError {
  const where = endpoint.kind === 'unix' ? endpoint.path : `${endpoint.host}:${endpoint.port}`;
  const hint =
    error.code === 'EACCES'
      ? "the socket is for root and the daemon's --group only"
      : 'start one with `tsbuild serve`, or drop --host / TSBUILD_HOST to build in-process';
  return new TsbuildError(
    'USAGE',
    `cannot reach the tsbuild daemon at ${where}: ${error.code ?? error.message}`,
    {
      cause: error,
      hint,
    },
  );
}

function caller(endpoint: Endpoint, token: string | undefined) {
  return (call: Call): Promise<IncomingMessage> =>
    new Promise((resolvePromise, reject) => {
      const req = httpRequest({
        ...(endpoint.kind === 'unix'
          ? { socketPath: endpoint.path }
          : { host: endpoint.host, port: endpoint.port }),
        method: call.method,
        path: call.path,
        headers: {
          ...(token !== undefined && { authorization: `Bearer ${token}` }),
          'content-type': call.body instanceof Readable ? 'application/octet-stream' : 'application/json',
        },
        ...(call.signal !== undefined && { signal: call.signal }),
      });
      req.once('response', resolvePromise);
      req.once('error', (error: NodeJS.ErrnoException) =>
        reject(call.signal?.aborted ? call.signal.reason : unreachable(endpoint, error)),
      );
      if (call.body instanceof Readable) {
        call.body.once('error', (error) => req.destroy(error));
        call.body.pipe(req);
      } else req.end(call.body);
    });
}

async function text(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function json<T>(res: IncomingMessage): Promise<T> {
  const body = await text(res);
  if ((res.statusCode ?? 500) >= 400) throw fromWireError(JSON.parse(body) as WireError);
  return JSON.parse(body) as T;
}

/** Mirrors are per client machine, user and context directory. */
function contextKey(dir: string): string {
  return createHash('sha256')
    .update(`${hostname()}\0${process.getuid?.() ?? ''}\0${resolve(dir)}`)
    .digest('hex');
}

async function remoteOptions(options: BuildOptions & BuildOutputOptions): Promise<RemoteBuildOptions> {
  if (options.ssh !== undefined && Object.keys(options.ssh).length > 0)
    throw new TsbuildError('USAGE', '--ssh cannot be forwarded through a daemon', {
      hint: 'build in-process (no --host) to forward an SSH agent',
    });
  if (options.outputs?.some((o) => o.type !== 'image' && o.type !== 'registry'))
    throw new TsbuildError('USAGE', 'with --host only image and registry outputs are supported', {
      hint: 'build, then `tsbuild save` the image; or build in-process',
    });
  const dockerfileText =
    options.dockerfileText ??
    (await readFile(options.dockerfile ?? join(options.context, 'Dockerfile'), 'utf8'));
  const secretValues: Record<string, string> = {};
  for (const s of options.secrets ?? []) {
    const value = s.src !== undefined ? await readFile(s.src) : Buffer.from(process.env[s.env ?? s.id] ?? '');
    secretValues[s.id] = value.toString('base64');
  }
  const {
    context: _c,
    dockerfile: _d,
    signal: _s,
    onEvent: _e,
    outputs,
    secrets: _x,
    ssh: _y,
    ...rest
  } = options;
  const push =
    options.push === true || outputs?.some((o) => o.type === 'registry' || (o.type === 'image' && o.push));
  return { ...rest, dockerfileText, ...(push === true && { push: true }), secretValues };
}

/** The daemon reads the Dockerfile as text, so it names it `Dockerfile`; say the client's name. */
function withFileName(error: WireError, options: BuildOptions): WireError {
  if (error.location === undefined || options.dockerfile === undefined) return error;
  return { ...error, location: { ...error.location, file: basename(options.dockerfile) } };
}

export async function connectBuilder(options: ConnectOptions): Promise<Builder> {
  const endpoint = parseEndpoint(options.host);
  const token = endpoint.kind === 'tcp' ? options.env?.TSBUILD_TOKEN : undefined;
  const call = caller(endpoint, token);
  const info = await json<DaemonInfo>(await call({ method: 'GET', path: `${API}/info` }));

  const attempt = async (
    options: BuildOptions & BuildOutputOptions,
    remote: RemoteBuildOptions,
    key: string,
    manifest: ContextEntry[],
  ): Promise<BuildResult | 'stale'> => {
    const signal = options.signal;
    const plan = await json<ContextPlan>(
      await call({
        method: 'POST',
        path: `${API}/contexts/${key}/plan`,
        body: JSON.stringify(manifest),
        ...(signal !== undefined && { signal }),
      }),
    );
    const header: BuildRequestHeader = { contextKey: key, manifest, plan, options: remote };
    const body = Readable.from(
      (async function* () {
        yield `${JSON.stringify(header)}\n`;
        yield* packContextDiff(options.context, manifest, plan);
      })(),
    );
    const res = await call({
      method: 'POST',
      path: `${API}/build`,
      body,
      ...(signal !== undefined && { signal }),
    });
    if (res.statusCode === 409) {
      await text(res);
      return 'stale';
    }
    if (res.statusCode !== 200) return json<never>(res);
    for await (const line of createInterface({ input: res, crlfDelay: Infinity })) {
      if (line === '') continue;
      const message = decodeMessage(line);
      if (message.type === 'event') options.onEvent?.(message.event);
      else if (message.type === 'result') return message.result;
      else throw fromWireError(withFileName(message.error, options));
    }
    throw signal?.aborted === true
      ? signal.reason
      : new TsbuildError('INTERNAL', 'the daemon closed the build stream without a result', {
          hint: "see the daemon's log",
        });
  };

  return {
    root: info.root,
    async build(options: BuildOptions & BuildOutputOptions) {
      const remote = await remoteOptions(options);
      const key = contextKey(options.context);
      const ignore = await readIgnoreFile(options.context, options.dockerfile);
      for (let tries = 0; tries < 3; tries++) {
        const manifest = await walkContext(options.context, ignore);
        const result = await attempt(options, remote, key, manifest);
        if (result !== 'stale') return result;
      }
      throw new TsbuildError(
        'CONTEXT',
        "the daemon's copy of the context kept changing under concurrent builds",
        {
          hint: 'run the build again',
        },
      );
    },
    close: async () => {},
  };
}
