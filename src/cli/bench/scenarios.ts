/**
 * `tsbuild bench`: the cache measured the way users meet it. On a copy of
 * the context: cold builds (each in a fresh private store holding only the
 * base images), no-op rebuilds, and one rebuild per mutated file, each with
 * a new Builder as a new CLI process would have (process start-up itself is
 * not counted). Optionally a second command timed the same way.
 */
import { exec } from 'node:child_process';
import { appendFile, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  type BuildEvent,
  type BuildOptions,
  type BuildResult,
  copyImage,
  createBuilder,
  defaultRoot,
  parseDockerfile,
  TsbuildError,
} from '../../index.ts';

export interface BenchOptions {
  readonly context: string;
  readonly dockerfile?: string;
  readonly target?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly runs: number;
  readonly mutate: readonly string[];
  /** Shell command timed like the no-op and mutation builds; `{context}` is the context copy. */
  readonly compare?: string;
  /** The store the base images are copied from. */
  readonly root?: string;
  readonly say: (line: string) => void;
}

export interface Sample {
  readonly ms: number;
  readonly ran: number;
  readonly cached: number;
  /** Bytes of context the COPY/ADD steps checksummed while keying. */
  readonly contextBytes: number;
  /** Steps that ran, with the reason their cache key missed. */
  readonly reran: readonly { readonly step: string; readonly why: string }[];
}

export interface Scenario {
  readonly name: string;
  readonly tool: 'tsbuild' | 'compare';
  readonly samples: readonly Sample[];
}

/** Base images the Dockerfile names (not stages, not scratch, not ones needing ARG expansion). */
async function baseImages(dockerfile: string): Promise<string[]> {
  const parsed = parseDockerfile(await readFile(dockerfile, 'utf8'));
  const stages = new Set<string>();
  const images = new Set<string>();
  for (const i of parsed.ast.instructions) {
    if (i.kind !== 'FROM') continue;
    if (!stages.has(i.image.toLowerCase()) && i.image !== 'scratch' && !i.image.includes('$'))
      images.add(i.image);
    if (i.stageName !== undefined) stages.add(i.stageName.toLowerCase());
  }
  return [...images];
}

function sampleOf(result: BuildResult, ms: number, events: readonly BuildEvent[]): Sample {
  const keyed = new Map<string, number>();
  for (const e of events) if (e.type === 'vertex.progress') keyed.set(e.vertex.id, e.current);
  const ran = result.steps.filter((s) => s.status === 'ran');
  return {
    ms,
    ran: ran.length,
    cached: result.steps.filter((s) => s.status === 'cached').length,
    contextBytes: [...keyed.values()].reduce((a, b) => a + b, 0),
    reran: ran.map((s) => ({ step: s.name, why: s.explain ?? '' })),
  };
}

export async function runBench(options: BenchOptions): Promise<Scenario[]> {
  const work = await mkdtemp(join(tmpdir(), 'tsbuild-bench-'));
  try {
    const context = join(work, 'context');
    await cp(resolve(options.context), context, { recursive: true, verbatimSymlinks: true });
    const dockerfileSource = resolve(options.dockerfile ?? join(options.context, 'Dockerfile'));
    const inContext = relative(resolve(options.context), dockerfileSource);
    const dockerfile = inContext.startsWith('..') ? dockerfileSource : join(context, inContext);
    const bases = await baseImages(dockerfile);
    const sourceStore = { root: options.root ?? defaultRoot() };

    const freshStore = async (name: string) => {
      const root = join(work, name);
      for (const image of bases) await copyImage(image, sourceStore, { root });
      return root;
    };
    const buildOnce = async (root: string): Promise<Sample> => {
      const events: BuildEvent[] = [];
      const builder = await createBuilder({ root });
      try {
        const build: BuildOptions = {
          context,
          dockerfile,
          ...(options.target !== undefined && { target: options.target }),
          ...(options.buildArgs !== undefined && { buildArgs: options.buildArgs }),
          onEvent: (e) => events.push(e),
        };
        const started = performance.now();
        const result = await builder.build(build);
        return sampleOf(result, performance.now() - started, events);
      } finally {
        await builder.close();
      }
    };
    const compareOnce = async (): Promise<Sample> => {
      const started = performance.now();
      await promisify(exec)(options.compare!.replaceAll('{context}', context), { cwd: context });
      return { ms: performance.now() - started, ran: 0, cached: 0, contextBytes: 0, reran: [] };
    };
    const mutate = async (path: string, run: number) => {
      const file = join(context, path);
      if (relative(context, file).startsWith('..'))
        throw new TsbuildError('USAGE', `--mutate ${path}: not inside the context`);
      await appendFile(file, `\n# tsbuild bench mutation ${run} ${Date.now()}\n`);
    };

    const scenarios: Scenario[] = [];
    const cold: Sample[] = [];
    for (let i = 0; i < options.runs; i++) {
      options.say(`cold build ${i + 1}/${options.runs}`);
      const root = await freshStore(`cold-${i}`);
      cold.push(await buildOnce(root));
      await rm(root, { recursive: true, force: true });
    }
    scenarios.push({ name: 'cold', tool: 'tsbuild', samples: cold });

    const warm = await freshStore('warm');
    options.say('warming the store');
    await buildOnce(warm);
    const noop: Sample[] = [];
    for (let i = 0; i < options.runs; i++) {
      options.say(`no-op rebuild ${i + 1}/${options.runs}`);
      noop.push(await buildOnce(warm));
    }
    scenarios.push({ name: 'no-op', tool: 'tsbuild', samples: noop });
    if (options.compare !== undefined) {
      options.say('compare: warming');
      await compareOnce();
      const samples: Sample[] = [];
      for (let i = 0; i < options.runs; i++) samples.push(await compareOnce());
      scenarios.push({ name: 'no-op', tool: 'compare', samples });
    }

    for (const path of options.mutate) {
      const samples: Sample[] = [];
      const compared: Sample[] = [];
      for (let i = 0; i < options.runs; i++) {
        options.say(`mutate ${path}: rebuild ${i + 1}/${options.runs}`);
        await mutate(path, i);
        samples.push(await buildOnce(warm));
        if (options.compare !== undefined) compared.push(await compareOnce());
      }
      scenarios.push({ name: `mutate ${path}`, tool: 'tsbuild', samples });
      if (options.compare !== undefined)
        scenarios.push({ name: `mutate ${path}`, tool: 'compare', samples: compared });
    }
    return scenarios;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
