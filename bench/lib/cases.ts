/**
 * The measured cases of issue 8 and their targets (ratio of tsbuild's median to docker BuildKit's
 * median in the same run; lower is better).
 */
import type { ExportCompression } from './engines/types.ts';
import type { ScenarioId } from './generate.ts';

export type CaseKind =
  /** Every build cache dropped before each run (the base image stays). */
  | 'cold'
  /** Rebuild of an unchanged context. */
  | 'noop'
  /** Rebuild after one source file changed. */
  | 'change'
  /** Cold build, then the image written to a tarball. */
  | 'export-cold'
  /** Cached rebuild, then the image written to a tarball. */
  | 'export-cached'
  /** The image written to a tarball, timed alone after an untimed cold build. */
  | 'export-only'
  /** All of the scenario's contexts built at once on one store, caches dropped first. */
  | 'concurrent-cold';

export interface CaseDef {
  readonly id: string;
  readonly scenario: ScenarioId;
  readonly kind: CaseKind;
  readonly title: string;
  /** Timed runs (≥ 5; 3 for slow cases). */
  readonly runs: number;
  readonly target?: number;
  /** Export cases: layer compression inside the archive (default none, as docker save). */
  readonly compression?: ExportCompression;
}

export const CASES: readonly CaseDef[] = [
  { id: 's1-cold', scenario: 's1', kind: 'cold', title: 's1 tiny, cold', runs: 5, target: 1.0 },
  { id: 's1-noop', scenario: 's1', kind: 'noop', title: 's1 tiny, no-op', runs: 10, target: 0.75 },
  { id: 's2-cold', scenario: 's2', kind: 'cold', title: 's2 app, cold', runs: 5, target: 1.0 },
  { id: 's2-noop', scenario: 's2', kind: 'noop', title: 's2 app, no-op', runs: 5, target: 0.4 },
  {
    id: 's2-change',
    scenario: 's2',
    kind: 'change',
    title: 's2 app, one file changed',
    runs: 5,
    target: 0.8,
  },
  { id: 's3-cold', scenario: 's3', kind: 'cold', title: 's3 parallel stages, cold', runs: 5, target: 1.1 },
  { id: 's3-noop', scenario: 's3', kind: 'noop', title: 's3 parallel stages, no-op', runs: 5 },
  {
    id: 's4-export-cold',
    scenario: 's4',
    kind: 'export-cold',
    title: 's4 300 MB layer, build + export, cold',
    runs: 3,
    target: 1.0,
  },
  {
    id: 's4-export-cached',
    scenario: 's4',
    kind: 'export-cached',
    title: 's4 300 MB layer, build + export, cached',
    runs: 3,
    target: 0.5,
  },
  {
    id: 's4-save-gzip',
    scenario: 's4',
    kind: 'export-only',
    title: 's4 export alone, gzip -1 layers',
    runs: 3,
    compression: 'gzip',
  },
  {
    id: 's4-save-zstd',
    scenario: 's4',
    kind: 'export-only',
    title: 's4 export alone, zstd -1 layers',
    runs: 3,
    compression: 'zstd',
  },
  { id: 's5-cold', scenario: 's5', kind: 'cold', title: 's5 50,000 files, cold', runs: 3, target: 0.3 },
  { id: 's5-noop', scenario: 's5', kind: 'noop', title: 's5 50,000 files, no-op', runs: 5, target: 0.3 },
  {
    id: 's6-concurrent',
    scenario: 's6',
    kind: 'concurrent-cold',
    title: 's6 8 × s2 variants at once, cold',
    runs: 3,
  },
];

/** Peak resident memory tsbuild may use during s2 cold (issue 8). */
export const S2_COLD_RSS_TARGET_MB = 300;
