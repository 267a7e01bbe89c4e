/** Options shared by pull and push, the client they build from them, and their bounded blob queue. */
import PQueue from 'p-queue';
import { TsbuildError } from '../errors.ts';
import type { CredentialSource } from './auth/credentials.ts';
import { createDockerConfigCredentials } from './auth/docker-config.ts';
import { createRegistryClient, type RegistryClient } from './client.ts';
import type { TransportOptions } from './transport.ts';

export interface RegistryAccessOptions {
  /** Where logins come from; default: the Docker config file and its credential helpers. */
  readonly credentials?: CredentialSource;
  /** Hosts that may be spoken to over plain HTTP besides loopback ones. */
  readonly insecureRegistries?: readonly string[];
  readonly transport?: TransportOptions;
  readonly signal?: AbortSignal;
  /** Blobs moved at once (default 3). */
  readonly concurrency?: number;
}

export function clientFor(registry: string, options: RegistryAccessOptions): RegistryClient {
  return createRegistryClient({
    registry,
    credentials: options.credentials ?? createDockerConfigCredentials(),
    insecureRegistries: options.insecureRegistries ?? [],
    ...(options.transport ? { transport: options.transport } : {}),
  });
}

/** Attempts per blob when a transfer fails part-way (the transport retries single requests too). */
export const BLOB_ATTEMPTS = 3;

function isCancellation(err: unknown): boolean {
  return (
    (err instanceof Error && err.name === 'AbortError') ||
    (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'CANCELLED')
  );
}

/**
 * Runs one transfer per job, `concurrency` at a time. The first failure cancels the rest, all are
 * awaited (nothing keeps writing after we return), and the first real error is thrown.
 */
export async function transferAll<J, R>(
  jobs: readonly J[],
  options: RegistryAccessOptions,
  run: (job: J, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  const queue = new PQueue({ concurrency: options.concurrency ?? 3 });
  const settled = await Promise.allSettled(
    jobs.map((job) =>
      queue.add(
        async () => {
          try {
            return await run(job, signal);
          } catch (err) {
            controller.abort(err);
            throw err;
          }
        },
        { signal },
      ),
    ),
  );
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (failures.length === 0) return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
  const real = failures.find((f) => !isCancellation(f));
  if (real !== undefined) throw real;
  throw new TsbuildError('CANCELLED', 'registry transfer cancelled', { cause: options.signal?.reason });
}
