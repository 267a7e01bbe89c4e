/** The executor's public surface: snapshots, OCI spec generation, the runc executor and sweep. */
export { pruneCacheMounts } from './mounts/cache.ts';
export { isOwnerAlive, isPidAlive, type Owner } from './owner.ts';
export { createRuncExecutor, type RuncExecutorOptions } from './runc-executor.ts';
export { type Runtime, type RuntimeChoice, resolveRuntime } from './runtime.ts';
export { lookupInLayers } from './snapshot/lookup.ts';
export { ID_PATTERN, snapshotsDir } from './snapshot/meta.ts';
export { createSnapshotter, type SnapshotterOptions } from './snapshot/snapshotter.ts';
export type {
  ActiveSnapshot,
  CommitOptions,
  EntryType,
  LookupOptions,
  LookupResult,
  SnapshotInfo,
  SnapshotState,
  Snapshotter,
  SnapshotterKind,
} from './snapshot/types.ts';
export {
  isOpaqueDir,
  isWhiteout,
  isWhiteoutEntry,
  OPAQUE_XATTR,
  WHITEOUT_XATTR,
} from './snapshot/whiteout.ts';
export {
  generateSpec,
  type NetworkMode,
  type ResourceLimits,
  type SpecInput,
  type SpecUser,
} from './spec/generate.ts';
export type { OciMount, OciSpec } from './spec/oci.ts';
export { type SweepOptions, type SweepReport, sweep } from './sweep.ts';
export type {
  BindMountRequest,
  CacheMountRequest,
  CacheSharing,
  ExecRequest,
  Executor,
  MountRequest,
  MountSource,
  OutputStream,
  RunOptions,
  RunResult,
  SecretMountRequest,
  SshMountRequest,
  TmpfsMountRequest,
} from './types.ts';
export { type ResolvedUser, resolveUser, resolveUserSpec } from './user.ts';
