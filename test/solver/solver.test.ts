import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { createSolver, defaultParallelism, type SolveEvent, type Vertex } from '../../src/solver/index.ts';
import { createArithWorld, createGate } from './arith.ts';

function collect(): { events: SolveEvent[]; onEvent: (e: SolveEvent) => void } {
  const events: SolveEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

function types(events: readonly SolveEvent[], name: string): string[] {
  return events.filter((e) => e.vertex.name === name).map((e) => e.type);
}

/** a → b, a → c, (b, c) → d: a diamond. */
function diamond(world: ReturnType<typeof createArithWorld>): Vertex<number> {
  const a = world.vertex('a', 1);
  const b = world.vertex('b', 10, [a]);
  const c = world.vertex('c', 100, [a]);
  return world.vertex('d', 1000, [b, c]);
}

describe('solver', () => {
  it('computes a diamond once per vertex and reports every vertex', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 4 });
    const { events, onEvent } = collect();
    const [d] = await solver.solve([diamond(world)], { onEvent });
    expect(d).toBe(1000 + 10 + 1 + 100 + 1);
    expect(world.counters.runs).toBe(4);
    expect(world.counters.runKeys.filter((n) => n === 'a')).toHaveLength(1);
    expect(types(events, 'a')).toEqual(['vertex.queued', 'vertex.started', 'vertex.completed']);
  });

  it('is lazy: a cached target loads only itself and runs nothing', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 4 });
    await solver.solve([diamond(world)]);
    const before = { ...world.counters, loadKeys: [...world.counters.loadKeys] };
    const { events, onEvent } = collect();
    const [d] = await solver.solve([diamond(world)], { onEvent });
    expect(d).toBe(1112);
    expect(world.counters.runs).toBe(before.runs);
    expect(world.counters.loadKeys.slice(before.loadKeys.length)).toEqual(['d']);
    // The vertices the hit made unnecessary are reported cached afterwards, inputs first.
    expect(events.map((e) => `${e.type} ${e.vertex.name}`)).toEqual([
      'vertex.queued d',
      'vertex.cached d',
      'vertex.cached a',
      'vertex.cached b',
      'vertex.cached c',
    ]);
  });

  it('re-runs only the changed vertex and what depends on it', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 4 });
    const build = (cConst: number) => {
      const a = world.vertex('a', 1);
      const b = world.vertex('b', 10, [a]);
      const c = world.vertex('c', cConst, [a]);
      return world.vertex('d', 1000, [b, c]);
    };
    await solver.solve([build(100)]);
    world.counters.runKeys.length = 0;
    const [d] = await solver.solve([build(200)]);
    expect(d).toBe(1212);
    expect([...world.counters.runKeys].sort()).toEqual(['c', 'd']);
  });

  it('keeps a build within --max-parallelism', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 8 });
    const leaves = Array.from({ length: 6 }, (_, i) => world.vertex(`leaf${i}`, i));
    const root = world.vertex('root', 0, leaves);
    const [sum] = await solver.solve([root], { maxParallelism: 2 });
    expect(sum).toBe(15);
    expect(world.counters.maxRunning).toBe(2);
  });

  it('runs as many steps of a build at once as there are CPUs when no limit is given', async () => {
    const world = createArithWorld();
    const cpus = availableParallelism();
    const solver = createSolver({ concurrency: cpus + 4 });
    const leaves = Array.from({ length: cpus + 3 }, (_, i) => world.vertex(`leaf${i}`, i));
    await solver.solve([world.vertex('root', 0, leaves)]);
    expect(defaultParallelism()).toBe(cpus);
    expect(world.counters.maxRunning).toBe(cpus);
  });

  it('keeps every build of one solver within the global limit', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 1 });
    const graph = (tag: string) => Array.from({ length: 3 }, (_, i) => world.vertex(`${tag}${i}`, i));
    await Promise.all([solver.solve(graph('x'), { maxParallelism: 4 }), solver.solve(graph('y'))]);
    expect(world.counters.runs).toBe(6);
    expect(world.counters.maxRunning).toBe(1);
  });

  it('runs a key needed by two concurrent builds once; the second waits for the first', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 4 });
    const gate = createGate();
    // Two builds with their own vertex objects whose keys are identical.
    const graph = () => world.vertex('top', 5, [world.vertex('slow', 7, [], { gate: gate.gate })]);
    const first = collect();
    const second = collect();
    const a = solver.solve([graph()], { onEvent: first.onEvent });
    await gate.entered;
    const b = solver.solve([graph()], { onEvent: second.onEvent });
    await new Promise((r) => setTimeout(r, 20));
    gate.open();
    expect(await Promise.all([a, b])).toEqual([[12], [12]]);
    expect(world.counters.runKeys).toEqual(['slow', 'top']);
    expect(second.events.find((e) => e.type === 'vertex.started')).toMatchObject({ shared: true });
  });

  it('cancels a running vertex: the op sees the abort, nothing is recorded', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 4 });
    const gate = createGate();
    const controller = new AbortController();
    const { events, onEvent } = collect();
    const solving = solver.solve([world.vertex('long', 1, [], { gate: gate.gate })], {
      signal: controller.signal,
      onEvent,
    });
    await gate.entered;
    controller.abort();
    const error = await solving.catch((e: unknown) => e);
    expect(isTsbuildError(error, 'CANCELLED')).toBe(true);
    expect(world.store.size).toBe(0);
    expect(world.counters.running).toBe(0);
    expect(types(events, 'long')).toEqual(['vertex.queued', 'vertex.started', 'vertex.cancelled']);
  });

  it('keeps running a shared vertex when only one of its builds is cancelled', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 4 });
    const gate = createGate();
    const graph = () => world.vertex('shared', 3, [], { gate: gate.gate });
    const controller = new AbortController();
    const a = solver.solve([graph()], { signal: controller.signal });
    await gate.entered;
    const b = solver.solve([graph()]);
    await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await expect(a).rejects.toSatisfy((e) => isTsbuildError(e, 'CANCELLED'));
    gate.open();
    expect(await b).toEqual([3]);
    expect(world.counters.runs).toBe(1);
  });

  it('fails the build with the first error: dependents never start, running siblings are cancelled', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 4 });
    const failing = createGate();
    const sibling = createGate();
    const boom = new Error('boom');
    const bad = world.vertex('bad', 1, [], { gate: failing.gate, fail: boom });
    const dependent = world.vertex('dependent', 1, [bad]);
    const slow = world.vertex('slow', 1, [], { gate: sibling.gate });
    const { events, onEvent } = collect();
    const solving = solver.solve([dependent, slow], { onEvent });
    await Promise.all([failing.entered, sibling.entered]);
    failing.open();
    await expect(solving).rejects.toBe(boom);
    expect(world.counters.runKeys).not.toContain('dependent');
    expect(types(events, 'bad').at(-1)).toBe('vertex.failed');
    expect(types(events, 'dependent').at(-1)).toBe('vertex.cancelled');
    expect(types(events, 'slow').at(-1)).toBe('vertex.cancelled');
    expect(world.counters.running).toBe(0);
    const queued = events.filter((e) => e.type === 'vertex.queued').map((e) => e.vertex.id);
    const ended = events
      .filter((e) =>
        ['vertex.cached', 'vertex.completed', 'vertex.failed', 'vertex.cancelled'].includes(e.type),
      )
      .map((e) => e.vertex.id);
    expect(ended.sort()).toEqual(queued.sort());
  });

  it('runs no-cache vertices even when cached and says why', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 4 });
    await solver.solve([world.vertex('x', 1)]);
    const { events, onEvent } = collect();
    const x = world.vertex('x', 1);
    await solver.solve([x], { onEvent, noCache: (v) => v === x });
    expect(world.counters.runs).toBe(2);
    expect(events.find((e) => e.type === 'vertex.started')).toMatchObject({
      explain: 'cache disabled (--no-cache)',
    });
  });

  it('relays explain, logs and byte counts as events', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 4 });
    const { events, onEvent } = collect();
    await solver.solve(
      [world.vertex('chatty', 1, [], { explain: 'ARG V 1 → 2', logs: ['hello'], bytes: 42 })],
      {
        onEvent,
      },
    );
    expect(events.find((e) => e.type === 'vertex.started')).toMatchObject({ explain: 'ARG V 1 → 2' });
    expect(events.find((e) => e.type === 'vertex.log')).toMatchObject({ stream: 'stdout', data: 'hello' });
    expect(events.find((e) => e.type === 'vertex.completed')).toMatchObject({ bytes: 42 });
  });

  it('takes the key lock after the inputs and re-checks the cache under it', async () => {
    const world = createArithWorld();
    const locked: string[] = [];
    const child = world.vertex('child', 2);
    const parent = world.vertex('parent', 3, [child]);
    const parentKey = await parent.op.cacheKey(
      [await child.op.cacheKey([], undefined as never)],
      undefined as never,
    );
    const solver = createSolver({
      concurrency: 4,
      // Simulates another process that produced `parent` while this one waited for its lock.
      lock: async (key) => {
        locked.push(key);
        if (key === parentKey) world.store.set(key, 99);
        return async () => undefined;
      },
    });
    const { events, onEvent } = collect();
    expect(await solver.solve([parent], { onEvent })).toEqual([99]);
    expect(locked).toHaveLength(2);
    expect(locked[1]).toBe(parentKey);
    expect(world.counters.runKeys).toEqual(['child']);
    expect(types(events, 'parent')).toEqual(['vertex.queued', 'vertex.cached']);
  });

  it('fails a vertex whose key cannot be computed', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 4 });
    const broken: Vertex<number> = {
      ...world.vertex('broken', 1),
      op: {
        ...world.vertex('x', 1).op,
        cacheKey: async () => {
          throw new Error('no context');
        },
      },
    };
    const { events, onEvent } = collect();
    await expect(solver.solve([broken], { onEvent })).rejects.toThrow('no context');
    expect(events.map((e) => e.type)).toEqual(['vertex.failed']);
  });
});

describe('solver: content-based keys (loadByContent)', () => {
  /** Content → the key of the copy that first recorded it. */
  const byContent = new Map<number, string>();

  /** A source whose key changes with `version` but whose value may not, a copy of it, and a step after. */
  function graph(world: ReturnType<typeof createArithWorld>, version: number, value: number, runs: string[]) {
    const source: Vertex<number> = {
      id: 'source',
      name: 'source',
      inputs: [],
      op: {
        cacheKey: async () => `source-${version}`,
        load: async (key) => world.store.get(key),
        run: async (_inputs, key) => {
          runs.push('source');
          world.store.set(key, value);
          return value;
        },
      },
    };
    const copy: Vertex<number> = {
      id: 'copy',
      name: 'copy',
      inputs: [source],
      op: {
        cacheKey: async (inputKeys) => `copy-of-${inputKeys[0]}`,
        load: async (key) => world.store.get(key),
        loadByContent: async ([input]) => {
          const first = byContent.get(input!);
          return first === undefined ? undefined : { result: world.store.get(first)!, key: first };
        },
        run: async ([input], key) => {
          runs.push('copy');
          world.store.set(key, input! * 2);
          if (!byContent.has(input!)) byContent.set(input!, key);
          return input! * 2;
        },
      },
    };
    const after: Vertex<number> = {
      id: 'after',
      name: 'after',
      inputs: [copy],
      op: {
        cacheKey: async (inputKeys) => `after-${inputKeys[0]}`,
        load: async (key) => world.store.get(key),
        run: async ([input], key) => {
          runs.push('after');
          world.store.set(key, input! + 1);
          return input! + 1;
        },
      },
    };
    return after;
  }

  it('a rebuilt input with the same result keeps the copy and what follows it cached', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 2 });
    const runs: string[] = [];
    expect(await solver.solve([graph(world, 1, 5, runs)])).toEqual([11]);
    expect(runs).toEqual(['source', 'copy', 'after']);

    const { events, onEvent } = collect();
    expect(await solver.solve([graph(world, 2, 5, runs)], { onEvent })).toEqual([11]);
    expect(runs.slice(3)).toEqual(['source']);
    expect(types(events, 'copy')).toEqual(['vertex.queued', 'vertex.cached']);
    expect(types(events, 'after')).toEqual(['vertex.queued', 'vertex.cached']);

    expect(await solver.solve([graph(world, 3, 6, runs)])).toEqual([13]);
    expect(runs.slice(4)).toEqual(['source', 'copy', 'after']);
  });

  it('aliases what it found under an equivalent key, so the next build hits at once', async () => {
    const world = createArithWorld();
    const aliases: [string, string][] = [];
    const solver = createSolver({
      concurrency: 2,
      alias: async (existing, key) => {
        aliases.push([existing, key]);
        world.store.set(key, world.store.get(existing)!);
      },
    });
    const runs: string[] = [];
    await solver.solve([graph(world, 1, 5, runs)]);
    await solver.solve([graph(world, 2, 5, runs)]);
    expect(aliases).toEqual([
      ['copy-of-source-1', 'copy-of-source-2'],
      ['after-copy-of-source-1', 'after-copy-of-source-2'],
    ]);
    const { events, onEvent } = collect();
    await solver.solve([graph(world, 2, 5, runs)], { onEvent });
    expect(runs).toEqual(['source', 'copy', 'after', 'source']);
    expect(types(events, 'after')).toEqual(['vertex.queued', 'vertex.cached']);
    expect(types(events, 'source')).toEqual(['vertex.cached']);
  });

  it('--no-cache skips the content lookup too', async () => {
    const world = createArithWorld();
    const solver = createSolver({ concurrency: 2 });
    const runs: string[] = [];
    await solver.solve([graph(world, 1, 5, runs)]);
    await solver.solve([graph(world, 2, 5, runs)], { noCache: () => true });
    expect(runs).toEqual(['source', 'copy', 'after', 'source', 'copy', 'after']);
  });
});
