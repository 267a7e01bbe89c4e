/**
 * HTTP for the registry client over Node's fetch: streaming bodies, a timeout until response
 * headers and an idle timeout while a body streams, retries with exponential backoff on 5xx, 429
 * (honouring Retry-After) and dropped connections. Knows nothing of auth or of the API.
 */
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { TsbuildError } from '../errors.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A request body made anew for each attempt, so retries can resend it. */
export type BodySource = () => BodyValue | Promise<BodyValue>;
type BodyValue = Uint8Array | string | URLSearchParams | Readable;

export interface TransportRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: BodySource;
  readonly signal?: AbortSignal;
}

export interface TransportResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly url: string;
  /** The body as a Node stream; bytes stalled longer than the idle timeout fail it. */
  stream(): Readable;
  bytes(): Promise<Buffer>;
  text(): Promise<string>;
  /** Releases the connection without reading the body. */
  discard(): Promise<void>;
}

export interface TransportOptions {
  /** Time allowed until response headers and between body chunks (default 60 s). */
  readonly timeoutMs?: number;
  /** Extra attempts after the first (default 4). */
  readonly retries?: number;
  /** First backoff delay; doubled per attempt (default 200 ms). */
  readonly backoffMs?: number;
  /** Longest wait honoured from Retry-After or backoff (default 30 s). */
  readonly maxDelayMs?: number;
  readonly userAgent?: string;
}

export interface Transport {
  send(request: TransportRequest): Promise<TransportResponse>;
}

const RETRYABLE_STATUS = (status: number): boolean => status === 429 || (status >= 500 && status !== 501);

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled(signal));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelled(signal: AbortSignal | undefined): TsbuildError {
  return new TsbuildError('CANCELLED', 'registry request cancelled', { cause: signal?.reason });
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} ${cause.message}` : cause.message;
  }
  return String(cause);
}

/** `onChunk` hears each chunk of a streamed body leave, so a long upload is not a stalled one. */
async function toBody(
  source: BodySource | undefined,
  onChunk: () => void,
): Promise<{ body?: RequestInit['body']; duplex?: 'half' }> {
  if (!source) return {};
  const value = await source();
  if (value instanceof Readable) {
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        onChunk();
        callback(null, chunk);
      },
    });
    const streamed = pipeline(value, tap, () => undefined);
    return { body: Readable.toWeb(streamed) as unknown as ReadableStream<Uint8Array>, duplex: 'half' };
  }
  return { body: value };
}

export function createTransport(options: TransportOptions = {}): Transport {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const retries = options.retries ?? 4;
  const backoffMs = options.backoffMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const userAgent = options.userAgent ?? 'tsbuild';

  async function attempt(request: TransportRequest): Promise<TransportResponse> {
    const controller = new AbortController();
    const signal = request.signal ? AbortSignal.any([request.signal, controller.signal]) : controller.signal;
    const timeoutError = (): TsbuildError =>
      new TsbuildError(
        'REGISTRY',
        `${request.method} ${new URL(request.url).host} timed out after ${timeoutMs} ms`,
        {
          hint: 'the registry stopped answering; check it is up and reachable, or raise the timeout',
        },
      );
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(timeoutError()), timeoutMs);
    };
    const body = await toBody(request.body, arm);
    arm();
    let response: Response;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers: { 'user-agent': userAgent, ...request.headers },
        redirect: 'follow',
        signal,
        ...body,
      } as RequestInit);
    } catch (err) {
      clearTimeout(timer);
      if (request.signal?.aborted) throw cancelled(request.signal);
      if (controller.signal.reason instanceof TsbuildError) throw controller.signal.reason;
      throw new TsbuildError(
        'REGISTRY',
        `cannot reach ${new URL(request.url).host}: ${describeNetworkError(err)}`,
        {
          hint: 'check the registry address and that it is running; a plain-HTTP registry must be loopback or listed as insecure',
        },
      );
    }
    clearTimeout(timer);
    let consumed = false;
    const bodyError = (err: unknown): TsbuildError => {
      if (controller.signal.reason instanceof TsbuildError) return controller.signal.reason;
      if (request.signal?.aborted) return cancelled(request.signal);
      return new TsbuildError('REGISTRY', `connection to ${new URL(request.url).host} dropped mid-body`, {
        cause: err,
        hint: 'retry; if it keeps happening, check the network between you and the registry',
      });
    };
    const stream = (): Readable => {
      if (consumed) throw new TsbuildError('INTERNAL', 'registry response body read twice');
      consumed = true;
      // Re-armed per chunk: a stalled body fails, a long but moving one does not.
      const out = new Transform({
        transform(chunk: Buffer, _encoding, callback: TransformCallback) {
          arm();
          callback(null, chunk);
        },
        flush(callback: TransformCallback) {
          clearTimeout(timer);
          callback();
        },
      });
      if (!response.body) {
        out.end();
        return out;
      }
      const source = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
      arm();
      source.on('error', (err) => {
        clearTimeout(timer);
        out.destroy(bodyError(err));
      });
      out.on('close', () => {
        clearTimeout(timer);
        if (!source.readableEnded) controller.abort();
        source.destroy();
      });
      source.pipe(out);
      return out;
    };
    const bytes = async (): Promise<Buffer> => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream()) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    return {
      status: response.status,
      headers: response.headers,
      url: response.url || request.url,
      stream,
      bytes,
      text: async () => (await bytes()).toString('utf8'),
      discard: async () => {
        if (consumed) return;
        consumed = true;
        await response.body?.cancel().catch(() => undefined);
      },
    };
  }

  return {
    async send(request) {
      for (let n = 0; ; n++) {
        const backoff = Math.min(maxDelayMs, backoffMs * 2 ** n);
        let response: TransportResponse;
        try {
          response = await attempt(request);
        } catch (err) {
          if (n >= retries || (err instanceof TsbuildError && err.code === 'CANCELLED')) throw err;
          await sleep(backoff, request.signal);
          continue;
        }
        if (n >= retries || !RETRYABLE_STATUS(response.status)) return response;
        const wait = retryAfterMs(response.headers.get('retry-after'));
        await response.discard();
        await sleep(Math.min(maxDelayMs, wait ?? backoff), request.signal);
      }
    },
  } satisfies Transport;
}
