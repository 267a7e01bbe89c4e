/**
 * What every vertex of a build produces: a root filesystem state, described
 * by its layers (enough to write an image) and, when materialised, the
 * snapshot holding those files (needed only by steps that run on top of it).
 */
import type { Digest } from '../image/index.ts';

export interface LayerDesc {
  readonly mediaType: string;
  /** Digest of the blob as stored (equal to diffId for the uncompressed layers we build). */
  readonly digest: Digest;
  readonly diffId: Digest;
  readonly size: number;
}

export interface StateResult {
  /** Every layer of the filesystem, bottom first. */
  readonly layers: readonly LayerDesc[];
  /**
   * The committed snapshot with these files; absent for an empty filesystem, or
   * when the state came from a source (image, remote cache) that was never
   * materialised. `ensureSnapshot` fills the gap.
   */
  readonly snapshotId?: string;
  /**
   * For each layer-making step since the stage's base image, in order, whether
   * it produced a layer (a RUN that changed nothing does not): image history
   * marks the others `empty_layer`.
   */
  readonly stepLayers: readonly boolean[];
  /**
   * When each of those steps first ran (ISO 8601), kept through cache hits so a
   * fully cached rebuild gives the same history, config and image ID.
   */
  readonly stepTimes: readonly string[];
}

export const EMPTY_STATE: StateResult = { layers: [], stepLayers: [], stepTimes: [] };
