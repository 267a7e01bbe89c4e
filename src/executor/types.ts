/** The executor's public contract: one RUN step = one container over an active snapshot. */
import type { ActiveSnapshot } from './snapshot/types.ts';
import type { NetworkMode, ResourceLimits } from './spec/generate.ts';

export type CacheSharing = 'shared' | 'private' | 'locked';

/** Files the mount reads from: one plain dir (the context) or a snapshot chain (stage, image), top first. */
export type MountSource = readonly string[];

export interface BindMountRequest {
  readonly type: 'bind';
  readonly target: string;
  readonly from: MountSource;
  /** Path inside `from` (default `/`), resolved without leaving it. */
  readonly source?: string;
  /** Writes are allowed but discarded after the step. */
  readonly readwrite?: boolean;
}

export interface CacheMountRequest {
  readonly type: 'cache';
  readonly target: string;
  /** Cache identity (default: the target). */
  readonly id?: string;
  readonly sharing?: CacheSharing;
  /** Seeds a new cache dir with `source` from these files. */
  readonly from?: MountSource;
  readonly source?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly readonly?: boolean;
}

export interface TmpfsMountRequest {
  readonly type: 'tmpfs';
  readonly target: string;
  readonly sizeBytes?: number;
}

export interface SecretMountRequest {
  readonly type: 'secret';
  readonly id: string;
  /** undefined when the build was given no such secret. */
  readonly value: Uint8Array | undefined;
  /** File path in the container (default `/run/secrets/<id>`), unless only `env` is set. */
  readonly target?: string;
  /** Expose the secret as this environment variable instead of (or besides) a file. */
  readonly env?: string;
  readonly required?: boolean;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

export interface SshMountRequest {
  readonly type: 'ssh';
  readonly id?: string;
  /** Agent socket on the host (e.g. `$SSH_AUTH_SOCK`); undefined when none was forwarded. */
  readonly socket: string | undefined;
  /** Socket path in the container (default `/run/buildkit/ssh_agent.0`). */
  readonly target?: string;
  readonly required?: boolean;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
}

export type MountRequest =
  | BindMountRequest
  | CacheMountRequest
  | TmpfsMountRequest
  | SecretMountRequest
  | SshMountRequest;

export interface ExecRequest {
  readonly snapshot: ActiveSnapshot;
  readonly args: readonly string[];
  readonly env: readonly string[];
  readonly cwd: string;
  /** USER as written: name, uid, name:group, uid:gid. */
  readonly user?: string;
  readonly hostname?: string;
  readonly network: NetworkMode;
  readonly mounts?: readonly MountRequest[];
  readonly limits?: ResourceLimits;
}

export type OutputStream = 'stdout' | 'stderr';

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly onOutput?: (stream: OutputStream, chunk: Buffer) => void;
  /** Return a non-zero exit code instead of throwing RUN_FAILED (`tsbuild run`). */
  readonly allowFailure?: boolean;
}

export interface RunResult {
  readonly exitCode: number;
}

export interface Executor {
  run(request: ExecRequest, options?: RunOptions): Promise<RunResult>;
}
