/**
 * Per-RUN overhead of the executor: wall time of executor.run() for `/bin/true` on a busybox
 * snapshot (bundle, private namespace, overlay mount, runtime start to exit, cleanup), median of
 * 50 after 5 warm-up runs. Needs root and runc. Usage: node bench/run-overhead.ts [runs] [runtime]
 */
import { performance } from 'node:perf_hooks';
import { createRuncExecutor } from '../src/executor/index.ts';
import { createTestStore } from '../test/executor/support/busybox.ts';

const runs = Number(process.argv[2] ?? 50);
const runtime = process.argv[3] ?? 'runc';
const WARMUP = 5;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

const store = await createTestStore('overlay');
try {
  const executor = createRuncExecutor({ root: store.root, runtime });
  for (const network of ['host', 'none'] as const) {
    const times: number[] = [];
    for (let i = 0; i < WARMUP + runs; i += 1) {
      const snapshot = await store.snapshotter.prepare(store.baseId);
      const start = performance.now();
      await executor.run({ snapshot, args: ['/bin/true'], env: [], cwd: '/', network });
      const elapsed = performance.now() - start;
      await snapshot.abort();
      if (i >= WARMUP) times.push(elapsed);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
    console.log(
      `${runtime} network=${network}: ${runs} runs of /bin/true: median ${fmt(percentile(sorted, 50))}, ` +
        `p90 ${fmt(percentile(sorted, 90))}, min ${fmt(sorted[0]!)}, max ${fmt(sorted[sorted.length - 1]!)}`,
    );
  }
} finally {
  await store.cleanup();
}
