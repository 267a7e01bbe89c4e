import { availableParallelism } from 'node:os';
import PQueue from 'p-queue';
import { TsbuildError } from '../errors.ts';
import {
  cancelledError,
  createFlight,
  type Flight,
  type FlightEvent,
  type FlightListener,
} from './flight.ts';
import type {
  LogStream,
  SolveEvent,
  SolveEventType,
  SolveOptions,
  Solver,
  SolverOptions,
  Vertex,
  VertexContext,
  VertexInfo,
} from './types.ts';

/** An input of the vertex failed: the vertex itself did not fail, it never got to run. */
class InputFailed extends Error {
  readonly original: unknown;
  constructor(original: unknown) {
    super('an input of this vertex failed');
    this.original = original;
  }
}

type Mode = 'cache' | 'nocache';

const TERMINAL: ReadonlySet<SolveEventType> = new Set([
  'vertex.cached',
  'vertex.completed',
  'vertex.failed',
  'vertex.cancelled',
]);

/** One solve's private state: its graph's keys, results it already holds, its queue and events. */
interface Build<R> {
  readonly signal: AbortSignal;
  readonly queue: PQueue;
  readonly keys: Map<string, Promise<string>>;
  readonly results: Map<string, R>;
  /** Keys whose result was found recorded under another (equivalent) key: key → that key. */
  readonly recordedAs: Map<string, string>;
  /** Lifecycle events already emitted, so a vertex reached along two paths reports once. */
  readonly reported: Set<string>;
  readonly noCache: (vertex: Vertex<R>) => boolean;
  emit(event: SolveEvent): void;
}

/** Steps of one build running at once when nobody says: the number of CPUs. */
export function defaultParallelism(): number {
  return availableParallelism();
}

/**
 * Steps of all builds of one solver running at once when nobody says: at least 8, so concurrent
 * builds on a small machine each still get their share (most steps wait on containers, disks or
 * the network rather than a CPU).
 */
export function defaultGlobalParallelism(): number {
  return Math.max(8, availableParallelism());
}

/**
 * Create a solver shared by every build of a process. BuildKit-like failure rule: the first vertex
 * that fails fails its build; the build's other running vertices are cancelled (unless another
 * build still waits for them) and its dependents never start. The solve rejects with that error.
 */
export function createSolver(options: SolverOptions): Solver {
  const global = new PQueue({ concurrency: options.concurrency });
  const flights = new Map<string, Flight<unknown>>();

  async function keyOf<R>(build: Build<R>, vertex: Vertex<R>): Promise<string> {
    let key = build.keys.get(vertex.id);
    if (key === undefined) {
      key = (async () => {
        const inputKeys = await Promise.all(vertex.inputs.map((input) => keyOf(build, input)));
        return vertex.op.cacheKey(
          inputKeys,
          contextFor(vertex, build.signal, () => undefined),
        );
      })();
      build.keys.set(vertex.id, key);
    }
    return key;
  }

  /** Resolve one vertex's result for `build`, waiting as `signal` (the build's or a dependent flight's). */
  async function resolve<R>(build: Build<R>, vertex: Vertex<R>, signal: AbortSignal): Promise<R> {
    const info: VertexInfo = { id: vertex.id, name: vertex.name };
    const startedAt = performance.now();
    let key: string | undefined;
    try {
      key = await keyOf(build, vertex);
      const held = build.results.get(key);
      if (held !== undefined) return held;
      build.emit({ type: 'vertex.queued', vertex: info, key });
      const flight = flightFor(build, vertex, key, build.noCache(vertex) ? 'nocache' : 'cache');
      const result = await flight.join(signal, relayTo(build, info, key, startedAt, flight.owner !== build));
      build.results.set(key, result);
      return result;
    } catch (error) {
      const durationMs = since(startedAt);
      if (error instanceof InputFailed) {
        build.emit({ type: 'vertex.cancelled', vertex: info, key, durationMs });
        throw error.original;
      }
      if (isCancellation(error) || signal.aborted) {
        build.emit({ type: 'vertex.cancelled', vertex: info, key, durationMs });
        throw signal.aborted ? cancelledError(signal.reason) : error;
      }
      build.emit({ type: 'vertex.failed', vertex: info, key, durationMs, error });
      throw error;
    }
  }

  function flightFor<R>(build: Build<R>, vertex: Vertex<R>, key: string, mode: Mode): Flight<R> {
    const id = `${mode}:${key}`;
    const existing = flights.get(id);
    if (existing !== undefined) return existing as Flight<R>;
    const flight: Flight<R> = createFlight<R>(
      build,
      async ({ signal, emit }) => {
        const ctx = contextFor(vertex, signal, emit);
        if (mode === 'cache') {
          const cached = await vertex.op.load(key, ctx);
          if (cached !== undefined) {
            emit({ type: 'cached' });
            return cached;
          }
        }
        let inputs: R[];
        try {
          inputs = await Promise.all(vertex.inputs.map((input) => resolve(build, input, signal)));
        } catch (error) {
          throw new InputFailed(error);
        }
        if (mode === 'cache') {
          const equivalent = await loadEquivalent(build, vertex, key, inputs, ctx);
          if (equivalent !== undefined) {
            emit({ type: 'cached' });
            return equivalent;
          }
        }
        return runLocked(build, vertex, key, mode, inputs, ctx, emit);
      },
      () => {
        if (flights.get(id) === flight) flights.delete(id);
      },
    );
    flights.set(id, flight as Flight<unknown>);
    return flight;
  }

  /**
   * A miss may still be a hit under an equivalent key: with the keys its inputs' results were
   * first recorded under (when an input matched by content), or by the op's own content key.
   */
  async function loadEquivalent<R>(
    build: Build<R>,
    vertex: Vertex<R>,
    key: string,
    inputs: readonly R[],
    ctx: VertexContext,
  ): Promise<R | undefined> {
    const inputKeys = await Promise.all(vertex.inputs.map((input) => keyOf(build, input)));
    const recorded = inputKeys.map((k) => build.recordedAs.get(k) ?? k);
    if (recorded.some((k, i) => k !== inputKeys[i])) {
      const other = await vertex.op.cacheKey(recorded, ctx);
      const found = other === key ? undefined : await vertex.op.load(other, ctx);
      if (found !== undefined) return hitUnder(build, key, other, found);
      // cacheKey may remember its inputs for the run: give it back the real ones.
      await vertex.op.cacheKey(inputKeys, ctx);
    }
    const same = await vertex.op.loadByContent?.(inputs, key, ctx);
    return same === undefined ? undefined : hitUnder(build, key, same.key, same.result);
  }

  async function hitUnder<R>(build: Build<R>, key: string, recordedKey: string, result: R): Promise<R> {
    if (recordedKey !== key) {
      build.recordedAs.set(key, recordedKey);
      await options.alias?.(recordedKey, key);
    }
    return result;
  }

  async function runLocked<R>(
    build: Build<R>,
    vertex: Vertex<R>,
    key: string,
    mode: Mode,
    inputs: readonly R[],
    ctx: VertexContext,
    emit: (event: FlightEvent) => void,
  ): Promise<R> {
    const release = options.lock === undefined ? undefined : await options.lock(key, ctx.signal);
    try {
      if (mode === 'cache' && release !== undefined) {
        // Another process may have produced the key while this one waited for the lock.
        const cached = await vertex.op.load(key, ctx);
        if (cached !== undefined) {
          emit({ type: 'cached' });
          return cached;
        }
      }
      return await build.queue.add(() =>
        global.add(async () => {
          ctx.signal.throwIfAborted();
          const explain = await explainMiss(build, vertex, key, mode, ctx);
          emit({ type: 'started', explain });
          const result = await vertex.op.run(inputs, key, ctx);
          emit({ type: 'completed', bytes: undefined });
          return result;
        }),
      );
    } finally {
      await release?.();
    }
  }

  async function explainMiss<R>(
    build: Build<R>,
    vertex: Vertex<R>,
    key: string,
    mode: Mode,
    ctx: VertexContext,
  ): Promise<string> {
    if (mode === 'nocache') return 'cache disabled (--no-cache)';
    if (vertex.op.explain === undefined) return 'no cache record';
    const inputKeys = await Promise.all(vertex.inputs.map((input) => keyOf(build, input)));
    return (await vertex.op.explain(key, inputKeys, ctx)) ?? 'no cache record';
  }

  async function solve<R>(targets: readonly Vertex<R>[], opts: SolveOptions<R> = {}): Promise<R[]> {
    const controller = new AbortController();
    const external = opts.signal;
    const onExternalAbort = (): void => controller.abort(external?.reason);
    if (external?.aborted) onExternalAbort();
    external?.addEventListener('abort', onExternalAbort, { once: true });
    let finished = false;
    const build: Build<R> = {
      signal: controller.signal,
      queue: new PQueue({ concurrency: opts.maxParallelism ?? defaultParallelism() }),
      keys: new Map(),
      results: new Map(),
      recordedAs: new Map(),
      reported: new Set(),
      noCache: opts.noCache ?? (() => false),
      // A flight this build started may outlive it for another build; its events stop here.
      emit: (event) => {
        if (finished) return;
        if (event.type !== 'vertex.log' && event.type !== 'vertex.progress') {
          const slot = `${event.vertex.id}:${TERMINAL.has(event.type) ? 'end' : event.type}`;
          if (build.reported.has(slot)) return;
          build.reported.add(slot);
        }
        opts.onEvent?.(event);
      },
    };
    let firstError: unknown;
    const pending = targets.map((target) =>
      resolve(build, target, build.signal).catch((error: unknown) => {
        if (firstError === undefined && !isCancellation(error)) firstError = error;
        controller.abort(cancelledError('another vertex of the build failed'));
        throw error;
      }),
    );
    const outcomes = await Promise.allSettled(pending);
    if (firstError === undefined && !build.signal.aborted) await reportImpliedCached(build, targets);
    finished = true;
    external?.removeEventListener('abort', onExternalAbort);
    if (firstError !== undefined) throw firstError;
    const results: R[] = [];
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') throw outcome.reason;
      results.push(outcome.value);
    }
    return results;
  }

  /**
   * Vertices a cache hit made unnecessary (never loaded: a dependent was
   * cached) are reported cached too, inputs first, as BuildKit shows them.
   */
  async function reportImpliedCached<R>(build: Build<R>, targets: readonly Vertex<R>[]): Promise<void> {
    const seen = new Set<string>();
    const visit = async (vertex: Vertex<R>): Promise<void> => {
      if (seen.has(vertex.id)) return;
      seen.add(vertex.id);
      for (const input of vertex.inputs) await visit(input);
      const key = build.keys.get(vertex.id);
      if (key === undefined || build.reported.has(`${vertex.id}:end`)) return;
      build.emit({
        type: 'vertex.cached',
        vertex: { id: vertex.id, name: vertex.name },
        key: await key,
        durationMs: 0,
      });
    };
    for (const target of targets) await visit(target);
  }

  function contextFor<R>(
    vertex: Vertex<R>,
    signal: AbortSignal,
    emit: (event: FlightEvent) => void,
  ): VertexContext {
    return {
      signal,
      vertex: { id: vertex.id, name: vertex.name },
      log: (stream: LogStream, data: string) => emit({ type: 'log', stream, data }),
      progress: (current: number, total?: number) => emit({ type: 'progress', current, total }),
    };
  }

  return { solve } satisfies Solver;
}

/** Turn one flight's events into this build's events for one of its vertices. */
function relayTo<R>(
  build: Build<R>,
  vertex: VertexInfo,
  key: string,
  queuedAt: number,
  shared: boolean,
): FlightListener {
  let runStartedAt = queuedAt;
  let bytes: number | undefined;
  return (event) => {
    switch (event.type) {
      case 'started':
        runStartedAt = performance.now();
        build.emit({ type: 'vertex.started', vertex, key, explain: event.explain, shared });
        return;
      case 'cached':
        build.emit({ type: 'vertex.cached', vertex, key, durationMs: since(queuedAt) });
        return;
      case 'log':
        build.emit({ type: 'vertex.log', vertex, stream: event.stream, data: event.data });
        return;
      case 'progress':
        bytes = event.current;
        build.emit({ type: 'vertex.progress', vertex, current: event.current, total: event.total });
        return;
      case 'completed':
        build.emit({
          type: 'vertex.completed',
          vertex,
          key,
          durationMs: since(runStartedAt),
          bytes: event.bytes ?? bytes,
        });
        return;
    }
  };
}

function isCancellation(error: unknown): boolean {
  return error instanceof TsbuildError && error.code === 'CANCELLED';
}

function since(start: number): number {
  return performance.now() - start;
}
