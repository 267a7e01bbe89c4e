/**
 * A small world for whole-system tests: a loopback registry holding a base image (busybox plus
 * a layer of random bytes, so pulls and pushes take a moment), and build contexts FROM it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tsbuild } from '../../support/cli.ts';
import { startRegistry, type TestRegistry } from '../../support/registry.ts';

export interface World {
  readonly registry: TestRegistry;
  /** `127.0.0.1:PORT/world/base:1` */
  readonly baseRef: string;
  /** A temp dir for the test's stores and contexts, removed by cleanup(). */
  readonly dir: string;
  cleanup(): Promise<void>;
}

async function must(args: readonly string[], root: string): Promise<string> {
  const result = await tsbuild(args, { root });
  if (result.code !== 0)
    throw new Error(`tsbuild ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

export async function startWorld(
  busyboxRootfs: string,
  options: { readonly bigLayerMiB?: number } = {},
): Promise<World> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-world-'));
  const registry = await startRegistry();
  const cleanup = async () => {
    await registry.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const seed = path.join(dir, 'seed-store');
    await must(['import', busyboxRootfs, 'busybox:local'], seed);
    const baseRef = `${registry.host}/world/base:1`;
    const ctx = path.join(dir, 'base-context');
    await mkdir(ctx);
    const bytes = (options.bigLayerMiB ?? 16) * 1024 * 1024;
    await writeFile(
      path.join(ctx, 'Dockerfile'),
      `FROM busybox:local\nRUN head -c ${bytes} /dev/urandom > /big\n`,
    );
    await must(['build', '-t', baseRef, '--progress=plain', ctx], seed);
    await must(['push', baseRef], seed);
    await rm(seed, { recursive: true, force: true });
    return { registry, baseRef, dir, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * A two-stage build FROM the world's base with COPYs, RUNs, a stage copy and a deletion, whose
 * every step is deterministic, so with --source-date-epoch its image ID is the same on any store.
 */
export async function writeAppContext(dir: string, baseRef: string): Promise<string> {
  await mkdir(path.join(dir, 'files'), { recursive: true });
  for (const i of [1, 2, 3]) await writeFile(path.join(dir, 'files', `f${i}`), `file ${i}\n`);
  await writeFile(
    path.join(dir, 'Dockerfile'),
    [
      `FROM ${baseRef} AS second`,
      'RUN echo second > /s && sleep 0.2',
      '',
      `FROM ${baseRef}`,
      'COPY files/ /files/',
      'RUN mkdir /gen && for i in $(seq 1 200); do echo "line $i" > /gen/f$i; done',
      'RUN sleep 0.3 && cat /files/* > /all',
      'COPY --from=second /s /s',
      'RUN wc -c /all /s > /sizes && rm /files/f2',
      '',
    ].join('\n'),
  );
  return dir;
}
