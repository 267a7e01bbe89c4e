import { TsbuildError } from '../errors.ts';
import type { LogStream } from './types.ts';

/** What one in-flight computation reports; each waiting build turns it into its own vertex events. */
export type FlightEvent =
  | { readonly type: 'cached' }
  | { readonly type: 'started'; readonly explain: string }
  | { readonly type: 'log'; readonly stream: LogStream; readonly data: string }
  | { readonly type: 'progress'; readonly current: number; readonly total: number | undefined }
  | { readonly type: 'completed'; readonly bytes: number | undefined };

export type FlightListener = (event: FlightEvent) => void;

export interface FlightControl {
  readonly signal: AbortSignal;
  emit(event: FlightEvent): void;
}

/**
 * One computation of one cache key, shared by every build (and every path of one build) that needs
 * that key while it runs. It owns its AbortController: it aborts only when the last waiter leaves,
 * so one build's cancellation never breaks another build waiting for the same key.
 */
export interface Flight<R> {
  /** Wait for the result; leaving early (signal aborted) rejects with a CANCELLED error. */
  join(signal: AbortSignal, listener: FlightListener): Promise<R>;
  readonly signal: AbortSignal;
  /** Who created the flight (a build); other joiners share its work. */
  readonly owner: object;
}

export function cancelledError(reason: unknown): TsbuildError {
  if (reason instanceof TsbuildError && reason.code === 'CANCELLED') return reason;
  return new TsbuildError('CANCELLED', 'build cancelled', { cause: reason });
}

export function createFlight<R>(
  owner: object,
  work: (control: FlightControl) => Promise<R>,
  onSettled: () => void,
): Flight<R> {
  const controller = new AbortController();
  const listeners = new Set<FlightListener>();
  let started: FlightEvent | undefined;
  let settled = false;

  const emit = (event: FlightEvent): void => {
    if (event.type === 'started') started = event;
    for (const listener of listeners) listener(event);
  };

  // Deferred a tick so the creator can join before the work emits anything.
  const result: Promise<R> = Promise.resolve()
    .then(() => work({ signal: controller.signal, emit }))
    .finally(() => {
      settled = true;
      onSettled();
    });
  // Rejections are observed by joiners; this keeps a flight whose waiters all left from crashing.
  result.catch(() => undefined);

  const join = (signal: AbortSignal, listener: FlightListener): Promise<R> => {
    if (signal.aborted) return Promise.reject(cancelledError(signal.reason));
    listeners.add(listener);
    if (started !== undefined) listener(started);
    return new Promise<R>((resolve, reject) => {
      const onAbort = (): void => {
        const wasLast = leave();
        const error = cancelledError(signal.reason);
        // The last waiter waits for the op to stop, so nothing runs on after its build returned.
        if (wasLast)
          result.then(
            () => reject(error),
            () => reject(error),
          );
        else reject(error);
      };
      const leave = (): boolean => {
        signal.removeEventListener('abort', onAbort);
        listeners.delete(listener);
        if (listeners.size > 0 || settled) return false;
        controller.abort(signal.reason);
        onSettled();
        return true;
      };
      signal.addEventListener('abort', onAbort, { once: true });
      result.then(
        (value) => {
          leave();
          resolve(value);
        },
        (error: unknown) => {
          leave();
          reject(error);
        },
      );
    });
  };

  return {
    join,
    owner,
    signal: controller.signal,
  };
}
