/**
 * POST /v1/build: the request header line, the context diff applied to the
 * mirror, then the build on the shared Builder with its events streamed
 * back as NDJSON. The client going away cancels the build.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Builder } from '../build.ts';
import { TsbuildError } from '../errors.ts';
import { applyLayer } from '../image/index.ts';
import type { ContextMirrors } from './mirror.ts';
import { type BuildRequestHeader, encodeMessage, toWireError } from './protocol.ts';

const HEADER_LIMIT = 64 * 1024 * 1024;

/** Reads the first line of the body as JSON and leaves the rest in the stream. */
export async function readHeaderLine<T>(stream: Readable): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const chunk = stream.read() as Buffer | null;
    if (chunk === null) {
      if (stream.readableEnded) break;
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off('readable', done);
          stream.off('end', done);
          resolve();
        };
        stream.once('readable', done);
        stream.once('end', done);
      });
      continue;
    }
    const newline = chunk.indexOf(0x0a);
    if (newline >= 0) {
      chunks.push(chunk.subarray(0, newline));
      if (newline + 1 < chunk.length) stream.unshift(chunk.subarray(newline + 1));
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
    }
    chunks.push(chunk);
    size += chunk.length;
    if (size > HEADER_LIMIT) break;
  }
  throw new TsbuildError('USAGE', 'build request has no header line');
}

/** Secret values sent by the client, as 0600 files for the build; removed after. */
async function secretFiles(scratch: string, values: Readonly<Record<string, string>> | undefined) {
  if (values === undefined || Object.keys(values).length === 0)
    return { secrets: [], dispose: async () => {} };
  const dir = join(scratch, `secrets-${randomUUID()}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const secrets = await Promise.all(
    Object.entries(values).map(async ([id, base64], i) => {
      const src = join(dir, String(i));
      await writeFile(src, Buffer.from(base64, 'base64'), { mode: 0o600 });
      return { id, src };
    }),
  );
  return { secrets, dispose: () => rm(dir, { recursive: true, force: true }) };
}

export async function handleBuild(
  req: IncomingMessage,
  res: ServerResponse,
  builder: Builder,
  mirrors: ContextMirrors,
  log: (line: string) => void,
): Promise<void> {
  const header = await readHeaderLine<BuildRequestHeader>(req);
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort(new TsbuildError('CANCELLED', 'the client went away'));
  });
  const { secretValues, ...options } = header.options;
  const secrets = await secretFiles(join(builder.root, 'tmp'), secretValues);
  let streaming = false;
  const send = (line: string) => {
    if (!streaming) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      streaming = true;
    }
    res.write(line);
  };
  try {
    const outcome = await mirrors.use(
      header.contextKey,
      header.manifest,
      header.plan,
      async (dir) => {
        await applyLayer(req, dir, { signal: controller.signal });
      },
      (dir, generation) =>
        builder.build({
          ...options,
          context: dir,
          contextGeneration: generation,
          secrets: secrets.secrets,
          signal: controller.signal,
          onEvent: (event) => send(encodeMessage({ type: 'event', event })),
        }),
    );
    // An unchanged context is not applied; what is left of the body (an empty tar) is dropped.
    req.resume();
    if (outcome.stale) {
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'CONTEXT', message: 'the context mirror changed; plan again' }));
      return;
    }
    log(`build ${outcome.value.buildId} done: ${outcome.value.imageId}`);
    send(encodeMessage({ type: 'result', result: outcome.value }));
  } catch (error) {
    log(`build failed: ${(error as Error).message}`);
    if (!streaming) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(toWireError(error)));
      return;
    }
    send(encodeMessage({ type: 'error', error: toWireError(error) }));
  } finally {
    await secrets.dispose();
  }
  res.end();
}
