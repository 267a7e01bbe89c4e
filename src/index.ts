/**
 * tsbuild's public library API. This list is deliberate and pinned by
 * test/index-exports.test.ts: build servers depend on it.
 */
export {
  type BuildEvent,
  type Builder,
  type BuilderOptions,
  type BuildOptions,
  type BuildResult,
  build,
  createBuilder,
  hostPlatform,
  outlineBuild,
  type StepReport,
  type StepStatus,
} from './build.ts';
export type {
  ArchiveCompression,
  BuildOutputOptions,
  CacheSpec,
  OutputSpec,
  OutputType,
} from './build-outputs.ts';
export {
  type BuildRecord,
  type BuildRecorder,
  type BuildRecordStatus,
  type BuildStepRecord,
  createBuildRecorder,
  listBuildRecords,
  type PruneBuildRecordsOptions,
  pruneBuildRecords,
  readBuildRecord,
  readStepLog,
  withBuildRecords,
} from './build-records.ts';
export type { SecretSpec } from './builder/context.ts';
export type { BuildWarning, PhaseInfo } from './builder/events.ts';
export { parseKeepStorage } from './builder/gc.ts';
export type { PullPolicy } from './builder/resolve.ts';
export { defaultRoot } from './builder/services.ts';
export {
  type CheckOptions,
  type CheckReport,
  checkStore,
  formatCheckReport,
  isCorrupt,
  type StoreProblem,
} from './check/index.ts';
export { type UnpackContextOptions, type UnpackedContext, unpackContext } from './context-archive.ts';
export { type ConnectOptions, connectBuilder } from './daemon/client.ts';
export { DEFAULT_SOCKET } from './daemon/protocol.ts';
export { type Daemon, type DaemonOptions, startDaemon } from './daemon/server.ts';
export {
  type DiskOptions,
  type DiskUsageReport,
  diskUsage,
  type PruneStoreOptions,
  type PruneStoreReport,
  pruneStore,
  type StoreUsage,
} from './disk-usage.ts';
export { type ErrorCode, isTsbuildError, type SourceLocation, TsbuildError } from './errors.ts';
export { exportBuildOutputs } from './export.ts';
export {
  copyImage,
  type HistoryRow,
  history,
  type ImageInspect,
  type ImageSummary,
  type ImportImageOptions,
  images,
  importImage,
  inspect,
  type LoadedImage,
  load,
  type RemoveEvent,
  rmi,
  type SaveArchiveOptions,
  type SavedImage,
  type StoreOptions,
  save,
  tag,
} from './images.ts';
export type { Diagnostic, Dockerfile, Instruction, ParseResult } from './parser/ast.ts';
export {
  astToJSON,
  CHECK_NAMES,
  formatDiagnostic,
  type LintOptions,
  type LintResult,
  lintDockerfile,
  parseDockerfile,
  parseResultToJSON,
} from './parser/index.ts';
export { type RunOptions, runImage } from './run.ts';
export {
  login,
  logout,
  type PullEvent,
  type PulledImage,
  type PullImageOptions,
  type PushEvent,
  type PushedImage,
  type PushImageOptions,
  pull,
  push,
  type RegistryOptions,
} from './transfer.ts';
