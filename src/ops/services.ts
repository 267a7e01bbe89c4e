/**
 * The long-lived services every op uses, opened once per store and shared by
 * all builds of a Builder, plus the inputs that belong to one build.
 */
import type { CacheStore, ChecksumOptions, ContextHasher } from '../cache/index.ts';
import type { Executor, Snapshotter } from '../executor/index.ts';
import type { ImageStore } from '../image/index.ts';

export interface OpServices {
  readonly root: string;
  readonly store: ImageStore;
  readonly snapshotter: Snapshotter;
  readonly executor: Executor;
  readonly cache: CacheStore;
  readonly hasher: ContextHasher;
}

export interface SecretSource {
  readonly id: string;
  /** Read the value when a step mounts it; never stored, hashed into keys or logged. */
  read(): Promise<Buffer>;
}

export interface BuildInputs {
  /** The build context directory. */
  readonly contextDir: string;
  /** See BuildInputsOptions.contextGeneration. */
  readonly contextGeneration?: string;
  /** `.dockerignore` patterns in effect for this build. */
  readonly ignore: readonly string[];
  readonly secrets: ReadonlyMap<string, SecretSource>;
  readonly sshSockets: ReadonlyMap<string, string>;
  /** Default RUN network (`--network`), used where a step says `default`. */
  readonly network: 'host' | 'none';
  readonly limits?: { readonly memoryBytes?: number; readonly cpus?: number; readonly pids?: number };
  readonly sourceDateEpoch?: number;
  readonly hostname?: string;
}

/** The checksum options that let the context hasher reuse what it knows of this context. */
export function generationOf(inputs: BuildInputs): ChecksumOptions {
  return inputs.contextGeneration === undefined ? {} : { generation: inputs.contextGeneration };
}
