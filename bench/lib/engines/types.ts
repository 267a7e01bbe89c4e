/** What the harness asks of each build engine it compares. */

export type EngineId = 'tsbuild' | 'tsbuild-serve' | 'buildkit' | 'docker-legacy' | 'buildah';

/** Layers inside an exported archive: `none` is what `docker save` writes; the others at level 1. */
export type ExportCompression = 'none' | 'gzip' | 'zstd';

export interface BuildRequest {
  readonly context: string;
  readonly tag: string;
  /** The loopback registry's busybox, given to every Dockerfile as build argument BASE. */
  readonly base: string;
}

export interface Engine {
  readonly id: EngineId;
  readonly label: string;
  readonly version: string;
  /** Shell command that builds the context into the engine's image store under `tag`. */
  build(request: BuildRequest): string;
  /** Shell command that writes image `tag` to a docker-loadable tarball at `dest`, or why it cannot. */
  exportImage(
    tag: string,
    dest: string,
    compression: ExportCompression,
  ): { readonly command: string } | { readonly unsupported: string };
  /** Drops every build cache (and the images tagged `tags`) but keeps the pulled base image. */
  reset(tags: readonly string[]): Promise<void>;
  /** Long-running processes that do the building (daemons), counted in peak memory. */
  daemons(): readonly number[];
  stop(): Promise<void>;
}

export interface EngineContext {
  /** Working directory of this harness run; each engine keeps its store under it. */
  readonly work: string;
  readonly base: string;
  readonly say: (line: string) => void;
}

export interface EngineFactory {
  readonly id: EngineId;
  /** Why the engine cannot run here, or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  start(context: EngineContext): Promise<Engine>;
}
