/**
 * One build, start to end: read and plan the Dockerfile, check it, import
 * remote caches, solve the graph, assemble and store the image, export
 * caches and outputs. Events go to `options.onEvent` throughout.
 */
import { randomUUID } from 'node:crypto';
import type { BuildOptions, BuildResult, StepReport, StepStatus } from '../build.ts';
import { createLease } from '../cache/index.ts';
import { TsbuildError } from '../errors.ts';
import { exportBuildOutputs } from '../export.ts';
import { familiarName, parseReference, serializeImage, writeImage } from '../image/index.ts';
import type { OpServices } from '../ops/services.ts';
import { formatPlatform, type Platform, planBuild } from '../plan/index.ts';
import type { SolveEvent, Solver } from '../solver/index.ts';
import { assembleImage, stageChain } from './assemble.ts';
import { checkBuildDefinition, loadBuildDefinition, makeBuildInputs } from './context.ts';
import { type BuildEvent, phase } from './events.ts';
import { buildGraph } from './graph.ts';
import { hostPlatform } from './platform.ts';
import { exportCaches, importCaches, parseCacheSpecs, withInlineCache } from './remote-cache.ts';
import { createBaseImageResolver } from './resolve.ts';

export { hostPlatform };

const NO_RANGE = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

/** `--platform`: only the host's platform can be built (no emulation). */
function checkPlatform(wanted: string | undefined, host: Platform): void {
  const hostText = formatPlatform(host);
  if (wanted === undefined || wanted === hostText) return;
  throw new TsbuildError(
    'USAGE',
    `--platform=${wanted}: tsbuild builds only for this host's platform (${hostText})`,
    {
      hint: 'drop --platform, or build on a machine of that platform',
    },
  );
}

function stepReports(events: readonly SolveEvent[]): StepReport[] {
  const byVertex = new Map<string, StepReport>();
  const explains = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'vertex.started') explains.set(e.vertex.id, e.explain);
    if (e.vertex.name.startsWith('[internal]')) continue;
    let status: StepStatus;
    if (e.type === 'vertex.cached') status = 'cached';
    else if (e.type === 'vertex.completed') status = 'ran';
    else if (e.type === 'vertex.failed') status = 'failed';
    else if (e.type === 'vertex.cancelled') status = 'cancelled';
    else continue;
    const explain = explains.get(e.vertex.id);
    byVertex.set(e.vertex.id, {
      name: e.vertex.name,
      status,
      durationMs: e.durationMs,
      ...(explain !== undefined && { explain }),
    });
  }
  return [...byVertex.values()];
}

export async function runBuild(
  services: OpServices,
  solver: Solver,
  options: BuildOptions,
): Promise<BuildResult> {
  const buildId = randomUUID();
  const started = performance.now();
  const emit = (e: BuildEvent) => options.onEvent?.(e);
  const solveEvents: SolveEvent[] = [];
  const warnings: string[] = [];
  const lease = createLease(services.root);
  const warn = (message: string) => {
    warnings.push(message);
    emit({
      type: 'build.warning',
      warning: {
        file: 'build',
        diagnostic: { severity: 'warning', code: 'Build', message, range: NO_RANGE },
      },
    });
  };
  // Written before the build makes anything: GC spares what it makes until it ends.
  await lease.open();
  emit({
    type: 'build.started',
    buildId,
    dockerfile: options.dockerfile ?? 'Dockerfile',
    ...(options.target !== undefined && { target: options.target }),
  });
  try {
    const def = await phase(emit, { id: 'load-definition', name: '[internal] load build definition' }, () =>
      loadBuildDefinition(options),
    );
    const platform = hostPlatform();
    checkPlatform(options.platform, platform);
    const cacheSpecs = parseCacheSpecs(options.cacheFrom, options.cacheTo);
    const registry = { insecureRegistries: options.insecureRegistries ?? [] };
    const cacheRun = {
      services,
      platform,
      registry,
      emit,
      warn,
      ...(options.signal !== undefined && { signal: options.signal }),
    };
    const resolver = createBaseImageResolver(services.store, {
      pull: options.pull ?? 'missing',
      registry,
      emit,
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    const plan = await phase(emit, { id: 'plan', name: '[internal] load metadata' }, () =>
      planBuild(def.parsed.ast, {
        file: def.file,
        buildArgs: new Map(Object.entries(options.buildArgs ?? {})),
        ...(options.target !== undefined && { target: options.target }),
        platform,
        resolveImage: resolver.resolve,
      }),
    );
    const checks = checkBuildDefinition(def, {
      buildArgs: new Map(Object.entries(options.buildArgs ?? {})),
      baseImageEnv: (image) => {
        const stage = plan.stages.find((st) => st.base.kind === 'image' && st.base.ref === image);
        return stage?.base.kind === 'image'
          ? new Set(stage.base.image.config.env.map(([k]) => k))
          : undefined;
      },
      ...(options.checkErrors !== undefined && { checkErrors: options.checkErrors }),
    });
    for (const d of [...checks, ...plan.warnings]) {
      warnings.push(d.message);
      emit({ type: 'build.warning', warning: { file: def.file, diagnostic: d } });
    }
    const inputs = await makeBuildInputs(options, def);
    await importCaches(cacheSpecs, cacheRun);
    const keys = new Set<string>();
    const graph = buildGraph(plan, services, inputs, def.path ?? `stdin:${inputs.contextDir}`);
    const filter = new Set((options.noCacheFilter ?? []).map((s) => s.toLowerCase()));
    const [result] = await solver.solve([graph.target], {
      ...(options.signal !== undefined && { signal: options.signal }),
      ...(options.maxParallelism !== undefined && { maxParallelism: options.maxParallelism }),
      noCache: (v) =>
        options.noCache === true || (filter.size > 0 && filter.has(graph.stageOf.get(v.id)?.name ?? '')),
      onEvent: (e) => {
        solveEvents.push(e);
        // Records this build uses are held until it ends, so a concurrent GC cannot take them.
        if (e.type === 'vertex.cached' || e.type === 'vertex.completed') {
          keys.add(e.key);
          lease.hold(e.key).catch(() => undefined);
        }
        emit(e);
      },
    });
    const target = plan.stages.find((s) => s.index === plan.target)!;
    const root = stageChain(plan, target)[0]!;
    const baseConfig = root.base.kind === 'image' ? resolver.configs.get(root.base.image.digest) : undefined;
    const assembled = assembleImage(plan, result!, baseConfig, {
      labels: new Map(Object.entries(options.labels ?? {})),
      ...(options.sourceDateEpoch !== undefined && { sourceDateEpoch: options.sourceDateEpoch }),
    });
    const image = await withInlineCache(cacheSpecs, services, assembled, [...keys]);
    const tags = (options.tags ?? []).map((t) => parseReference(t));
    const manifest = await phase(emit, { id: 'export', name: 'exporting to image' }, async () => {
      const descriptor = await writeImage(services.store, image);
      for (const ref of tags) await services.store.refs.set(ref, descriptor);
      return descriptor;
    });
    const imageId = serializeImage(image).config.descriptor.digest;
    await exportCaches(cacheSpecs, cacheRun, [...keys], image);
    const built = {
      buildId,
      imageId,
      manifestDigest: manifest.digest,
      tags: tags.map((t) => familiarName(t)),
      steps: stepReports(solveEvents),
      warnings,
    };
    await exportBuildOutputs(
      services.root,
      { ...built, durationMs: performance.now() - started },
      options,
      emit,
    );
    const durationMs = performance.now() - started;
    emit({ type: 'build.completed', buildId, durationMs, imageId });
    return { ...built, durationMs };
  } catch (error) {
    emit({ type: 'build.failed', buildId, durationMs: performance.now() - started, error });
    throw error;
  } finally {
    await lease.release();
  }
}
