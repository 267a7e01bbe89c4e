/**
 * The solver's whole contract: opaque vertices with an op that knows how to key, load and run
 * itself. Nothing here knows about containers, snapshots or images.
 */

/** What an op sees while it keys, loads or runs one vertex. */
export interface VertexContext {
  /** Aborts when every build waiting for this vertex is cancelled, or its build failed elsewhere. */
  readonly signal: AbortSignal;
  readonly vertex: VertexInfo;
  /** Output lines of the step (container stdout/stderr), forwarded as `vertex.log` events. */
  log(stream: LogStream, data: string): void;
  /** Work done so far, in bytes; the last value is reported in `vertex.completed`. */
  progress(current: number, total?: number): void;
}

export type LogStream = 'stdout' | 'stderr';

export interface Op<R> {
  /** The vertex's cache key from its own definition and its inputs' keys; needs no input result. */
  cacheKey(inputKeys: readonly string[], ctx: VertexContext): Promise<string>;
  /** A cached result for the key, or undefined on a miss. */
  load(key: string, ctx: VertexContext): Promise<R | undefined>;
  /**
   * Compute the result from the inputs' results (only called on a miss). Whatever the op records
   * for the key must be complete before it resolves, and nothing may be recorded once
   * `ctx.signal` has aborted.
   */
  run(inputs: readonly R[], key: string, ctx: VertexContext): Promise<R>;
  /**
   * BuildKit's content-based ("slow") key, asked on a miss once the inputs' results exist: a
   * result here makes the vertex cached after all (e.g. COPY --from a stage that was rebuilt
   * into the same files). `key` is the key that result was first recorded under: dependents are
   * then looked up with it in place of this vertex's key, so they stay cached too.
   */
  loadByContent?(
    inputs: readonly R[],
    key: string,
    ctx: VertexContext,
  ): Promise<{ readonly result: R; readonly key: string } | undefined>;
  /** Why the key missed (e.g. `COPY . /app: src/main.ts content changed`); shown in `vertex.started`. */
  explain?(key: string, inputKeys: readonly string[], ctx: VertexContext): Promise<string | undefined>;
}

export interface Vertex<R> {
  /** Unique within one solve; the same vertex object may be reached along many paths. */
  readonly id: string;
  /** Human name, e.g. `[build 3/7] RUN make`. */
  readonly name: string;
  readonly inputs: readonly Vertex<R>[];
  readonly op: Op<R>;
}

export interface VertexInfo {
  readonly id: string;
  readonly name: string;
}

/**
 * What happened to one vertex of a solve. Every queued vertex ends in exactly one of cached,
 * completed, failed or cancelled.
 */
export type SolveEvent =
  | { readonly type: 'vertex.queued'; readonly vertex: VertexInfo; readonly key: string }
  | {
      readonly type: 'vertex.started';
      readonly vertex: VertexInfo;
      readonly key: string;
      /** Why the cache missed: `no cache record`, the first differing input, or `--no-cache`. */
      readonly explain: string;
      /** True when another build in this process started the same key and this one waits for it. */
      readonly shared: boolean;
    }
  | {
      readonly type: 'vertex.cached';
      readonly vertex: VertexInfo;
      readonly key: string;
      readonly durationMs: number;
    }
  | {
      readonly type: 'vertex.log';
      readonly vertex: VertexInfo;
      readonly stream: LogStream;
      readonly data: string;
    }
  | {
      readonly type: 'vertex.progress';
      readonly vertex: VertexInfo;
      readonly current: number;
      readonly total: number | undefined;
    }
  | {
      readonly type: 'vertex.completed';
      readonly vertex: VertexInfo;
      readonly key: string;
      readonly durationMs: number;
      readonly bytes: number | undefined;
    }
  | {
      readonly type: 'vertex.failed';
      readonly vertex: VertexInfo;
      readonly key: string | undefined;
      readonly durationMs: number;
      readonly error: unknown;
    }
  | {
      /** Stopped because the build was cancelled or another vertex of the build failed. */
      readonly type: 'vertex.cancelled';
      readonly vertex: VertexInfo;
      readonly key: string | undefined;
      readonly durationMs: number;
    };

export type SolveEventType = SolveEvent['type'];

export interface SolveOptions<R> {
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: SolveEvent) => void;
  /** Vertices that must run even when their key is cached (`--no-cache`, `--no-cache-filter`). */
  readonly noCache?: (vertex: Vertex<R>) => boolean;
  /** This build's `--max-parallelism`; the solver's global limit applies as well. */
  readonly maxParallelism?: number;
}

/** Releases a lock taken by a {@link KeyLock}. */
export type ReleaseLock = () => Promise<void>;

/**
 * Cross-process exclusion per cache key: taken after the vertex's inputs are ready and held only
 * while it re-checks the cache and runs, so one holder never waits for another (no deadlock).
 */
export type KeyLock = (key: string, signal: AbortSignal) => Promise<ReleaseLock>;

export interface SolverOptions {
  /** Vertices running at once across every build of this solver. */
  readonly concurrency: number;
  readonly lock?: KeyLock;
  /**
   * Records under `key` the result recorded under `existing`, when a vertex was found through an
   * equivalent key (content match, or inputs that matched by content), so the next build finds
   * it by its own key without resolving inputs. Optional: without it the lookup is redone.
   */
  readonly alias?: (existing: string, key: string) => Promise<void>;
}

export interface Solver {
  /** Resolve the targets' results in order; loads only what is needed, runs only what missed. */
  solve<R>(targets: readonly Vertex<R>[], options?: SolveOptions<R>): Promise<R[]>;
}
