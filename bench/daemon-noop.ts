/**
 * No-op rebuild time in-process vs through the daemon, for fixtures/my-httpd and for a context of
 * many files (`COPY . /app`). In-process runs make a new Builder per build, as a new CLI process
 * would; daemon runs go through `connectBuilder` to a daemon started here on a temp socket.
 * Process start-up is not included (see `hyperfine` in docs/benchmarks.md for whole commands).
 * Usage (root, runc, busybox-static): node bench/daemon-noop.ts [runs] [files]
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Builder,
  connectBuilder,
  createBuilder,
  importImage,
  startDaemon,
  withBuildRecords,
} from '../src/index.ts';

const runs = Number(process.argv[2] ?? 10);
const files = Number(process.argv[3] ?? 20_000);
const repo = resolve(import.meta.dirname, '..');
const base = await mkdtemp(join(tmpdir(), 'tsbuild-daemon-bench-'));
const root = join(base, 'store');

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `median ${median.toFixed(1).padStart(7)} ms   min ${s[0]!.toFixed(1).padStart(7)}   max ${s.at(-1)!.toFixed(1).padStart(7)}`;
}

async function time(label: string, build: () => Promise<unknown>): Promise<void> {
  await build(); // warm: the first build after a change is not a no-op
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await build();
    ms.push(performance.now() - started);
  }
  console.log(`${label.padEnd(36)} ${stats(ms)}`);
}

try {
  execFileSync(join(repo, 'fixtures/busybox/make-rootfs.sh'), [join(base, 'rootfs.tar')], {
    stdio: 'ignore',
  });
  await importImage(join(base, 'rootfs.tar'), 'busybox:local', { root });
  const httpd = join(base, 'my-httpd');
  await cp(join(repo, 'fixtures/my-httpd'), httpd, { recursive: true });
  const big = join(base, 'big');
  for (let d = 0; d * 100 < files; d++) {
    await mkdir(join(big, `dir${d}`), { recursive: true });
    await Promise.all(
      Array.from({ length: Math.min(100, files - d * 100) }, (_, i) =>
        writeFile(join(big, `dir${d}`, `f${i}.txt`), `file ${d}/${i}\n`.repeat(20)),
      ),
    );
  }
  await writeFile(join(big, 'Dockerfile'), 'FROM busybox:local\nCOPY . /app\n');
  await sleep(2500); // the stat cache trusts only files older than its racy window

  const daemon = await startDaemon({ root, socket: join(base, 'd.sock'), version: 'bench' });
  const remote: Builder = await connectBuilder({ host: `unix://${join(base, 'd.sock')}` });
  const inProcess = (context: string) => async () => {
    // As the CLI builds in-process: a new Builder, the build recorded with its logs.
    const builder = withBuildRecords(await createBuilder({ root }));
    try {
      await builder.build({ context, tags: ['bench'] });
    } finally {
      await builder.close();
    }
  };
  console.log(`no-op rebuilds, ${runs} runs each (after one warm-up build)`);
  await time('my-httpd in-process', inProcess(httpd));
  await time('my-httpd through the daemon', () => remote.build({ context: httpd, tags: ['bench'] }));
  await time(`${files} files in-process`, inProcess(big));
  await time(`${files} files through the daemon`, () => remote.build({ context: big, tags: ['bench'] }));
  await daemon.close();
} finally {
  await rm(base, { recursive: true, force: true });
}
