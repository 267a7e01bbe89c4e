import { createHash } from 'node:crypto';
import type { Op, Vertex, VertexContext } from '../../src/solver/index.ts';

/** Fake vertices for solver tests: each adds its constant to the sum of its inputs. */
export interface Counters {
  keys: number;
  loads: number;
  runs: number;
  running: number;
  maxRunning: number;
  readonly runKeys: string[];
  readonly loadKeys: string[];
}

export interface ArithWorld {
  /** The "cache": key → value, written by run as a real op records its result. */
  readonly store: Map<string, number>;
  readonly counters: Counters;
  vertex(
    name: string,
    constant: number,
    inputs?: readonly Vertex<number>[],
    behaviour?: Behaviour,
  ): Vertex<number>;
}

export interface Behaviour {
  /** Awaited inside run before it records; lets a test hold a vertex running. */
  readonly gate?: (ctx: VertexContext) => Promise<void>;
  readonly fail?: Error;
  readonly explain?: string;
  readonly logs?: readonly string[];
  readonly bytes?: number;
}

let ids = 0;

export function createArithWorld(): ArithWorld {
  const store = new Map<string, number>();
  const counters: Counters = {
    keys: 0,
    loads: 0,
    runs: 0,
    running: 0,
    maxRunning: 0,
    runKeys: [],
    loadKeys: [],
  };

  const vertex = (
    name: string,
    constant: number,
    inputs: readonly Vertex<number>[] = [],
    behaviour: Behaviour = {},
  ): Vertex<number> => {
    const op: Op<number> = {
      async cacheKey(inputKeys) {
        counters.keys++;
        return createHash('sha256')
          .update(JSON.stringify([name, constant, inputKeys]))
          .digest('hex');
      },
      async load(key) {
        counters.loads++;
        counters.loadKeys.push(name);
        return store.get(key);
      },
      async run(values, key, ctx) {
        counters.runs++;
        counters.runKeys.push(name);
        counters.running++;
        counters.maxRunning = Math.max(counters.maxRunning, counters.running);
        try {
          for (const line of behaviour.logs ?? []) ctx.log('stdout', line);
          if (behaviour.bytes !== undefined) ctx.progress(behaviour.bytes, behaviour.bytes);
          await (behaviour.gate?.(ctx) ?? new Promise((r) => setTimeout(r, 5)));
          if (behaviour.fail !== undefined) throw behaviour.fail;
          ctx.signal.throwIfAborted();
          const value = constant + values.reduce((a, b) => a + b, 0);
          store.set(key, value);
          return value;
        } finally {
          counters.running--;
        }
      },
      ...(behaviour.explain === undefined ? {} : { explain: async () => behaviour.explain }),
    };
    ids++;
    return { id: `v${ids}`, name, inputs, op };
  };
  return { store, counters, vertex };
}

/** A gate the test opens by hand; it also rejects when the vertex's signal aborts. */
export function createGate(): {
  gate: (ctx: VertexContext) => Promise<void>;
  open: () => void;
  entered: Promise<void>;
} {
  let open!: () => void;
  let enter!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  const entered = new Promise<void>((r) => {
    enter = r;
  });
  const gate = (ctx: VertexContext): Promise<void> => {
    enter();
    return new Promise<void>((resolve, reject) => {
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
      void opened.then(resolve);
    });
  };
  return { gate, open, entered };
}
