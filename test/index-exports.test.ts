/**
 * The public API is a deliberate list (src/index.ts): build servers depend on it. This pins the
 * values and the type names it exports, so adding or dropping one is a visible, reviewed change.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.ts';

const VALUES = [
  'CHECK_NAMES',
  'DEFAULT_SOCKET',
  'TsbuildError',
  'astToJSON',
  'build',
  'checkStore',
  'connectBuilder',
  'copyImage',
  'createBuildRecorder',
  'createBuilder',
  'defaultRoot',
  'diskUsage',
  'exportBuildOutputs',
  'formatCheckReport',
  'formatDiagnostic',
  'history',
  'hostPlatform',
  'images',
  'importImage',
  'inspect',
  'isCorrupt',
  'isTsbuildError',
  'lintDockerfile',
  'listBuildRecords',
  'load',
  'outlineBuild',
  'login',
  'logout',
  'parseDockerfile',
  'parseKeepStorage',
  'parseResultToJSON',
  'pruneBuildRecords',
  'pruneStore',
  'pull',
  'push',
  'readBuildRecord',
  'readStepLog',
  'rmi',
  'runImage',
  'save',
  'startDaemon',
  'tag',
  'unpackContext',
  'withBuildRecords',
];

const TYPES = [
  'ArchiveCompression',
  'Builder',
  'BuilderOptions',
  'BuildEvent',
  'BuildOptions',
  'BuildOutputOptions',
  'BuildRecord',
  'BuildRecorder',
  'BuildRecordStatus',
  'BuildResult',
  'BuildStepRecord',
  'BuildWarning',
  'CacheSpec',
  'CheckOptions',
  'CheckReport',
  'ConnectOptions',
  'Daemon',
  'DaemonOptions',
  'Diagnostic',
  'DiskOptions',
  'DiskUsageReport',
  'Dockerfile',
  'ErrorCode',
  'HistoryRow',
  'ImageInspect',
  'ImageSummary',
  'ImportImageOptions',
  'Instruction',
  'LintOptions',
  'LintResult',
  'LoadedImage',
  'OutputSpec',
  'OutputType',
  'ParseResult',
  'PhaseInfo',
  'PruneBuildRecordsOptions',
  'PruneStoreOptions',
  'PruneStoreReport',
  'PulledImage',
  'PullEvent',
  'PullImageOptions',
  'PullPolicy',
  'PushedImage',
  'PushEvent',
  'PushImageOptions',
  'RegistryOptions',
  'RemoveEvent',
  'RunOptions',
  'SaveArchiveOptions',
  'SavedImage',
  'SecretSpec',
  'SourceLocation',
  'StepReport',
  'StepStatus',
  'StoreOptions',
  'StoreProblem',
  'StoreUsage',
  'UnpackContextOptions',
  'UnpackedContext',
];

const byName = (a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase());

/** Type-only names in src/index.ts: `export type { A }` blocks and `type A` entries. */
function typeExports(source: string): string[] {
  const names = new Set<string>();
  for (const [, block] of source.matchAll(/export type \{([^}]*)\}/g))
    for (const n of block!.split(',')) if (n.trim() !== '') names.add(n.trim());
  for (const [, block] of source.matchAll(/export \{([^}]*)\}/g))
    for (const n of block!.split(',')) if (n.trim().startsWith('type ')) names.add(n.trim().slice(5));
  return [...names].sort(byName);
}

describe('public API (src/index.ts)', () => {
  it('exports exactly the pinned values', () => {
    expect(Object.keys(api).sort()).toEqual([...VALUES].sort());
  });

  it('exports exactly the pinned types', () => {
    const source = readFileSync(resolve(import.meta.dirname, '../src/index.ts'), 'utf8');
    expect(typeExports(source)).toEqual([...TYPES].sort(byName));
  });

  it('ships declaration files for the package entry', () => {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8'));
    expect(pkg.exports['.'].types).toBe('./dist/index.d.ts');
    const dts = resolve(import.meta.dirname, '../dist/index.d.ts');
    expect(existsSync(dts)).toBe(true);
    expect(readFileSync(dts, 'utf8')).toMatch(/createBuilder/);
  });
});
