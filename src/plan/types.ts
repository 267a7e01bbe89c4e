/**
 * The build graph the planner produces from a Dockerfile: stages, the steps
 * that make layers, and the image config each stage ends with. Everything
 * here is already expanded; ops never see an unexpanded word.
 */
import type { Diagnostic, HealthcheckOptions, Range } from '../parser/ast.ts';

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** Image config fields a Dockerfile can set (names as in the OCI/Docker config). */
export interface ConfigState {
  readonly env: readonly (readonly [string, string])[];
  readonly user?: string;
  readonly workingDir?: string;
  readonly cmd?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly exposedPorts: readonly string[];
  readonly labels: readonly (readonly [string, string])[];
  readonly volumes: readonly string[];
  readonly stopSignal?: string;
  readonly healthcheck?: HealthcheckConfig;
  readonly shell?: readonly string[];
  readonly onBuild: readonly string[];
  readonly argsEscaped?: boolean;
  /** MAINTAINER, stored as the config's `author`. */
  readonly author?: string;
}

export interface HealthcheckConfig {
  /** `["NONE"]`, `["CMD", ...]` or `["CMD-SHELL", cmd]`, as Docker stores it. */
  readonly test: readonly string[];
  /** Durations in nanoseconds, as Docker's config does. */
  readonly interval?: number;
  readonly timeout?: number;
  readonly startPeriod?: number;
  readonly startInterval?: number;
  readonly retries?: number;
}

export type { HealthcheckOptions };

/** Where a stage starts from. */
export type StageBase =
  | { readonly kind: 'scratch' }
  | { readonly kind: 'stage'; readonly stage: number }
  | { readonly kind: 'image'; readonly ref: string; readonly image: ResolvedImage };

/** A base image as the planner needs it: the config to start from and its identity. */
export interface ResolvedImage {
  /** Normalised reference, e.g. `docker.io/library/busybox:latest`. */
  readonly ref: string;
  /** Manifest digest the reference resolved to; part of every cache key built on it. */
  readonly digest: string;
  readonly config: ConfigState;
}

/** Looks up a base image (local store, then registry) for the planner. */
export type ImageResolver = (ref: string, platform: Platform) => Promise<ResolvedImage>;

/** Where COPY/ADD or a bind/cache mount reads from. */
export type SourceRef =
  | { readonly kind: 'context' }
  | { readonly kind: 'stage'; readonly stage: number }
  | { readonly kind: 'image'; readonly image: ResolvedImage };

export interface ResolvedMount {
  readonly type: 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
  readonly target: string;
  readonly source?: string;
  readonly from?: SourceRef;
  readonly readonly: boolean;
  readonly id?: string;
  readonly sharing?: 'shared' | 'private' | 'locked';
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly sizeBytes?: number;
  readonly env?: string;
  readonly required: boolean;
}

interface StepBase {
  /** The instruction as the user wrote it (one line), for progress and errors. */
  readonly display: string;
  readonly range: Range;
  /** `created_by` of the image history entry. */
  readonly createdBy: string;
}

export interface RunStep extends StepBase {
  readonly kind: 'run';
  readonly args: readonly string[];
  /** Environment as `KEY=value`, build args included (they never reach the config). */
  readonly env: readonly string[];
  readonly user?: string;
  readonly workdir: string;
  readonly network: 'default' | 'none' | 'host';
  readonly security: 'sandbox' | 'insecure';
  readonly mounts: readonly ResolvedMount[];
  /** Heredoc bodies written to files the command reads, e.g. a script for `RUN <<EOF`. */
  readonly files: readonly { readonly path: string; readonly content: string; readonly mode: number }[];
}

export interface CopyStep extends StepBase {
  readonly kind: 'copy';
  readonly add: boolean;
  readonly from: SourceRef;
  readonly sources: readonly string[];
  /** Heredoc sources: file name and content, written as new files. */
  readonly inline: readonly { readonly name: string; readonly content: string }[];
  readonly dest: string;
  readonly workdir: string;
  readonly chown?: string;
  readonly chmod?: string;
  readonly link: boolean;
  readonly parents: boolean;
  readonly exclude: readonly string[];
  readonly checksum?: string;
  readonly keepGitDir: boolean;
  readonly unpack?: boolean;
  /** The user in effect, for resolving `--chown` names and for remote ADD. */
  readonly user?: string;
}

export interface WorkdirStep extends StepBase {
  readonly kind: 'workdir';
  readonly path: string;
  readonly user?: string;
}

/** A step that only changes the config; it gets a history entry and no vertex. */
export interface MetaStep extends StepBase {
  readonly kind: 'meta';
}

export type Step = RunStep | CopyStep | WorkdirStep | MetaStep;
export type LayerStep = RunStep | CopyStep | WorkdirStep;

export interface StagePlan {
  readonly index: number;
  /** Lower-cased stage name, if the stage has one. */
  readonly name?: string;
  readonly base: StageBase;
  readonly range: Range;
  readonly steps: readonly Step[];
  /** The image config at the end of the stage, the base image's config merged in. */
  readonly config: ConfigState;
  /** Stages this one reads from (base, COPY --from, mounts). */
  readonly dependsOn: readonly number[];
  /** Build args declared in the stage, with their values, for the outline. */
  readonly args: readonly { readonly name: string; readonly value?: string }[];
}

export interface BuildPlan {
  readonly stages: readonly StagePlan[];
  /** The stage to build (`--target`, else the last). */
  readonly target: number;
  /** Stages needed by the target, dependencies before dependents. */
  readonly order: readonly number[];
  readonly platform: Platform;
  /** Global `ARG`s before the first FROM, with their final values. */
  readonly metaArgs: readonly { readonly name: string; readonly value?: string }[];
  readonly warnings: readonly Diagnostic[];
}
