/**
 * Build options about where a built image goes and which caches it talks
 * to: `-o/--output`, `--push`, `--cache-from`, `--cache-to`, `--platform`.
 * Kept apart from BuildOptions so the export step (src/export.ts) can be
 * wired into build() in one place; BuildOptions extends this interface.
 */

/** Layer compression of an exported archive. */
export type ArchiveCompression = 'gzip' | 'zstd' | 'none';

/** One `-o type=…` of docker build. */
export type OutputSpec =
  /** The local store (always written); `push` sends every tag to its registry as well. */
  | { readonly type: 'image'; readonly push?: boolean }
  /** The local store plus a push of every tag (`--push`, `-o type=registry`). */
  | { readonly type: 'registry' }
  /** A `docker load` archive or an OCI image-layout archive. */
  | {
      readonly type: 'docker' | 'oci';
      /** File path, or a stream (the CLI's `dest=-` is standard output). */
      readonly dest: string | NodeJS.WritableStream;
      readonly compression?: ArchiveCompression;
      readonly compressionLevel?: number;
    }
  /** The image's root filesystem as a directory. */
  | { readonly type: 'local'; readonly dest: string }
  /** The image's root filesystem as one tar. */
  | { readonly type: 'tar'; readonly dest: string | NodeJS.WritableStream };

export type OutputType = OutputSpec['type'];

/** A remote cache source or destination, as `type=registry,ref=…` names it. */
export interface CacheSpec {
  readonly type: string;
  readonly attrs: Readonly<Record<string, string>>;
}

export interface BuildOutputOptions {
  /** Where the image goes besides the local store (default: the store only). */
  readonly outputs?: readonly OutputSpec[];
  /** Push every tag to its registry after the build (same as an `image,push=true` output). */
  readonly push?: boolean;
  /** Registries that may be spoken to over plain HTTP besides loopback ones. */
  readonly insecureRegistries?: readonly string[];
  readonly cacheFrom?: readonly CacheSpec[];
  readonly cacheTo?: readonly CacheSpec[];
  /** Target platform as `os/arch[/variant]`; only the host's platform can be built. */
  readonly platform?: string;
}
