/**
 * `build()` and the Builder: the public entry points. One Builder owns one
 * store and serves many concurrent builds; identical steps of concurrent
 * builds run once. The work of one build is in builder/run.ts.
 */
import type { BuildOutputOptions } from './build-outputs.ts';
import { type BuildInputsOptions, loadBuildDefinition } from './builder/context.ts';
import type { BuildEvent } from './builder/events.ts';
import { autoGc, defaultKeepStorage } from './builder/gc.ts';
import { createBaseImageResolver, type PullPolicy } from './builder/resolve.ts';
import { hostPlatform, runBuild } from './builder/run.ts';
import { openServices, type ServiceOptions } from './builder/services.ts';
import type { PruneReport } from './cache/index.ts';
import { aliasRecord } from './cache/index.ts';
import { TsbuildError } from './errors.ts';
import { type BuildPlan, outline, planBuild } from './plan/index.ts';
import { createSolver, defaultGlobalParallelism } from './solver/index.ts';

export type { BuildEvent } from './builder/events.ts';
export { hostPlatform } from './builder/run.ts';

export interface BuilderOptions extends ServiceOptions {
  /**
   * Automatic GC: after a build that ran steps, least recently used cache records (and what only
   * they used) are pruned while the store is over this many bytes; `false` turns it off. Default:
   * `TSBUILD_GC_KEEP_STORAGE` (e.g. `10GB`, `off`), else 10 % of the store's filesystem.
   */
  readonly gcKeepStorage?: number | false;
  /** Told what each automatic GC removed, or why it failed (the build's result stands either way). */
  readonly onGc?: (outcome: { readonly report?: PruneReport; readonly error?: unknown }) => void;
  /** Steps running at once across every build of this Builder (default: the larger of 8 and the number of CPUs). */
  readonly maxParallelism?: number;
}

export interface BuildOptions extends BuildInputsOptions, BuildOutputOptions {
  readonly tags?: readonly string[];
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly noCache?: boolean;
  /** Stage names whose steps must run even when cached. */
  readonly noCacheFilter?: readonly string[];
  readonly pull?: PullPolicy;
  readonly labels?: Readonly<Record<string, string>>;
  readonly maxParallelism?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: BuildEvent) => void;
}

export type StepStatus = 'cached' | 'ran' | 'failed' | 'cancelled';

export interface StepReport {
  readonly name: string;
  readonly status: StepStatus;
  readonly durationMs: number;
  readonly explain?: string;
}

export interface BuildResult {
  readonly buildId: string;
  /** Image ID as Docker shows it: the config digest. */
  readonly imageId: string;
  readonly manifestDigest: string;
  readonly tags: readonly string[];
  readonly steps: readonly StepReport[];
  readonly warnings: readonly string[];
  readonly durationMs: number;
}

export interface Builder {
  readonly root: string;
  build(options: BuildOptions): Promise<BuildResult>;
  close(): Promise<void>;
}

export async function createBuilder(options: BuilderOptions = {}): Promise<Builder> {
  const services = await openServices(options);
  const solver = createSolver({
    concurrency: options.maxParallelism ?? defaultGlobalParallelism(),
    lock: services.lock,
    // A step found by content under another key is recorded under this one too.
    alias: (existing, key) => aliasRecord(services.cache, existing, key),
  });
  const keepStorage = options.gcKeepStorage ?? (await defaultKeepStorage(services.root));
  // One GC at a time, after the builds that made something; close() waits for the last one.
  let gc: Promise<void> = Promise.resolve();
  const collect = () => {
    if (keepStorage === false) return;
    gc = gc.then(() =>
      autoGc(services, keepStorage).then(
        (report) => options.onGc?.({ ...(report !== undefined && { report }) }),
        (error: unknown) => options.onGc?.({ error }),
      ),
    );
  };
  let closed = false;
  return {
    root: services.root,
    build: async (buildOptions) => {
      if (closed) throw new TsbuildError('USAGE', 'this Builder is closed');
      let ran = true;
      try {
        const result = await runBuild(services, solver, buildOptions);
        ran = result.steps.some((step) => step.status === 'ran');
        return result;
      } finally {
        if (ran) collect();
      }
    },
    close: async () => {
      closed = true;
      await gc;
    },
  };
}

/**
 * `tsbuild build --print=outline`: the stages a build would run (base,
 * build args, dependencies) without running anything. Base images are
 * resolved (pulled when missing, as a build would) for their config.
 */
export async function outlineBuild(
  options: BuildOptions & BuilderOptions,
): Promise<{ plan: BuildPlan; text: string }> {
  const services = await openServices(options);
  const def = await loadBuildDefinition(options);
  const resolver = createBaseImageResolver(services.store, {
    pull: options.pull ?? 'missing',
    registry: { insecureRegistries: options.insecureRegistries ?? [] },
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  const plan = await planBuild(def.parsed.ast, {
    file: def.file,
    buildArgs: new Map(Object.entries(options.buildArgs ?? {})),
    ...(options.target !== undefined && { target: options.target }),
    platform: hostPlatform(),
    resolveImage: resolver.resolve,
  });
  return { plan, text: outline(plan) };
}

/** One build with its own Builder: the simple library entry point. */
export async function build(options: BuildOptions & BuilderOptions): Promise<BuildResult> {
  const builder = await createBuilder(options);
  try {
    return await builder.build(options);
  } finally {
    await builder.close();
  }
}
