/** The shape of a harness run's results (written as JSON, rendered as Markdown). */
import type { CaseKind } from './cases.ts';
import type { MachineInfo } from './machine.ts';

export interface EngineResult {
  readonly engine: string;
  /** Timed runs in seconds, in the order they ran. */
  readonly times: readonly number[];
  readonly median?: number;
  readonly min?: number;
  readonly max?: number;
  /** Largest sampled sum of resident memory of the command's processes and the engine's daemons. */
  readonly peakRssMb?: number;
  /** Largest resident memory of one process the command started. */
  readonly peakProcessRssMb?: number;
  /** Why the engine has no figure here, or what went wrong in some runs. */
  readonly notes: readonly string[];
}

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  readonly kind: CaseKind | 'floor';
  readonly runs: number;
  readonly warmup: number;
  readonly target?: number;
  readonly results: readonly EngineResult[];
}

export interface EngineInfo {
  readonly id: string;
  readonly label: string;
  readonly version: string;
}

export interface BenchResults {
  readonly date: string;
  readonly host: string;
  readonly seed: string;
  readonly machine: MachineInfo;
  readonly engines: readonly EngineInfo[];
  readonly skipped: readonly { readonly id: string; readonly reason: string }[];
  readonly cases: readonly CaseResult[];
  readonly durationSeconds: number;
}

export function summarize(
  engine: string,
  runs: readonly { seconds: number; totalMb: number; processMb: number }[],
  notes: readonly string[],
): EngineResult {
  if (runs.length === 0) return { engine, times: [], notes };
  const times = runs.map((r) => r.seconds);
  const sorted = [...times].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    engine,
    times,
    median,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    peakRssMb: Math.max(...runs.map((r) => r.totalMb)),
    peakProcessRssMb: Math.max(...runs.map((r) => r.processMb)),
    notes,
  };
}
