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
  type StepReport,
  type StepStatus,
} from './build.ts';
export type { SecretSpec } from './builder/context.ts';
export type { BuildWarning, PhaseInfo } from './builder/events.ts';
export type { PullPolicy } from './builder/resolve.ts';
export { defaultRoot } from './builder/services.ts';
export { type ErrorCode, isTsbuildError, type SourceLocation, TsbuildError } from './errors.ts';
export {
  type HistoryRow,
  history,
  type ImageInspect,
  type ImageSummary,
  images,
  inspect,
  type StoreOptions,
  tag,
} from './images.ts';
export type { Diagnostic, Dockerfile, Instruction, ParseResult } from './parser/ast.ts';
export { parseDockerfile } from './parser/index.ts';
export { type RunOptions, runImage } from './run.ts';
