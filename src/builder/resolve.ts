/**
 * Base images for the planner: the local store first, then the registry
 * (`--pull` = always re-checks the registry; `never` = local only). The
 * image's config becomes the stage's starting config.
 */
import { isTsbuildError, TsbuildError } from '../errors.ts';
import {
  type ContainerConfig,
  familiarName,
  type ImageConfig,
  type ImageStore,
  parseReference,
  resolveImage,
} from '../image/index.ts';
import type { ConfigState, ImageResolver, Platform, ResolvedImage } from '../plan/index.ts';
import { type PullEvent, pullImage, type RegistryAccessOptions } from '../registry/index.ts';
import { type BuildEvent, phase } from './events.ts';

export type PullPolicy = 'missing' | 'always' | 'never';

export interface ResolverOptions {
  readonly pull: PullPolicy;
  readonly registry?: RegistryAccessOptions;
  readonly signal?: AbortSignal;
  /** Pulls are reported as phases with byte progress. */
  readonly emit?: (event: BuildEvent) => void;
}

export interface BaseImageResolver {
  readonly resolve: ImageResolver;
  /** Full configs of the images resolved so far, by manifest digest (for history). */
  readonly configs: ReadonlyMap<string, ImageConfig>;
}

function pairs(entries: readonly string[] | undefined): [string, string][] {
  return (entries ?? []).map((e) => {
    const i = e.indexOf('=');
    return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
  });
}

export function configStateOf(c: ContainerConfig | undefined, author?: string): ConfigState {
  const hc = c?.Healthcheck;
  return {
    env: pairs(c?.Env),
    ...(c?.User !== undefined && c.User !== '' && { user: c.User }),
    ...(c?.WorkingDir !== undefined && c.WorkingDir !== '' && { workingDir: c.WorkingDir }),
    ...(c?.Cmd != null && { cmd: c.Cmd }),
    ...(c?.Entrypoint != null && { entrypoint: c.Entrypoint }),
    exposedPorts: Object.keys(c?.ExposedPorts ?? {}),
    labels: Object.entries(c?.Labels ?? {}),
    volumes: Object.keys(c?.Volumes ?? {}),
    ...(c?.StopSignal !== undefined && { stopSignal: c.StopSignal }),
    ...(hc?.Test !== undefined && {
      healthcheck: {
        test: hc.Test,
        ...(hc.Interval !== undefined && { interval: hc.Interval }),
        ...(hc.Timeout !== undefined && { timeout: hc.Timeout }),
        ...(hc.StartPeriod !== undefined && { startPeriod: hc.StartPeriod }),
        ...(hc.StartInterval !== undefined && { startInterval: hc.StartInterval }),
        ...(hc.Retries !== undefined && { retries: hc.Retries }),
      },
    }),
    ...(c?.Shell !== undefined && { shell: c.Shell }),
    onBuild: [...(c?.OnBuild ?? [])],
    ...(c?.ArgsEscaped !== undefined && { argsEscaped: c.ArgsEscaped }),
    ...(author !== undefined && { author }),
  };
}

export function createBaseImageResolver(store: ImageStore, options: ResolverOptions): BaseImageResolver {
  const configs = new Map<string, ImageConfig>();
  const resolve: ImageResolver = async (name: string, platform: Platform): Promise<ResolvedImage> => {
    const ref = parseReference(name);
    const shown = familiarName(ref);
    const pull = () =>
      phase(
        options.emit ?? (() => {}),
        { id: `pull:${shown}`, name: `pulling ${shown}` },
        async (progress) => {
          const sizes = new Map<string, number>();
          const received = new Map<string, number>();
          const report = () => {
            const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
            progress(sum(received), sum(sizes));
          };
          await pullImage(store, ref, {
            ...options.registry,
            platform,
            ...(options.signal !== undefined && { signal: options.signal }),
            onProgress: (e: PullEvent) => {
              if (e.kind === 'blob-start') sizes.set(e.digest, e.size);
              else if (e.kind === 'blob-progress') received.set(e.digest, e.received);
              else return;
              report();
            },
          });
        },
      );
    if (options.pull === 'always') await pull();
    let found: Awaited<ReturnType<typeof resolveImage>>;
    try {
      found = await resolveImage(store, name, { platform });
    } catch (err) {
      if (!isTsbuildError(err, 'IMAGE_NOT_FOUND') || options.pull !== 'missing') {
        if (isTsbuildError(err, 'IMAGE_NOT_FOUND')) {
          throw new TsbuildError('IMAGE_NOT_FOUND', `base image ${shown} is not in the local store`, {
            cause: err,
            hint: 'pull, load or import it first, or build without --pull=never',
          });
        }
        throw err;
      }
      await pull();
      found = await resolveImage(store, name, { platform });
    }
    const digest = found.manifestDescriptor.digest;
    configs.set(digest, found.config);
    return { ref: shown, digest, config: configStateOf(found.config.config, found.config.author) };
  };
  return { resolve, configs };
}
