/** `tsbuild bench` results as a table for people or JSON for machines. */
import { formatSize, formatTable } from '../table.ts';
import type { Sample, Scenario } from './scenarios.ts';

export interface ScenarioSummary {
  readonly scenario: string;
  readonly tool: Scenario['tool'];
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly stepsRun: number;
  readonly stepsCached: number;
  /** cached / (cached + run) over the runs; undefined for the compare command. */
  readonly hitRatio: number | undefined;
  readonly contextBytes: number;
  /** Steps that re-ran in the last run, and why. */
  readonly reran: Sample['reran'];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(scenario: Scenario): ScenarioSummary {
  const ms = scenario.samples.map((s) => s.ms);
  const last = scenario.samples[scenario.samples.length - 1];
  const ran = last?.ran ?? 0;
  const cached = last?.cached ?? 0;
  return {
    scenario: scenario.name,
    tool: scenario.tool,
    runs: ms.length,
    medianMs: median(ms),
    minMs: Math.min(...ms),
    maxMs: Math.max(...ms),
    stepsRun: ran,
    stepsCached: cached,
    hitRatio: scenario.tool === 'compare' || ran + cached === 0 ? undefined : cached / (ran + cached),
    contextBytes: last?.contextBytes ?? 0,
    reran: last?.reran ?? [],
  };
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`;
}

export function formatBench(summaries: readonly ScenarioSummary[]): string {
  const table = formatTable(
    ['SCENARIO', 'TOOL', 'RUNS', 'MEDIAN', 'MIN', 'MAX', 'RUN/CACHED', 'HITS', 'CONTEXT KEYED'],
    summaries.map((s) => [
      s.scenario,
      s.tool,
      String(s.runs),
      secs(s.medianMs),
      secs(s.minMs),
      secs(s.maxMs),
      s.tool === 'compare' ? '-' : `${s.stepsRun}/${s.stepsCached}`,
      s.hitRatio === undefined ? '-' : `${Math.round(s.hitRatio * 100)}%`,
      s.tool === 'compare' ? '-' : formatSize(s.contextBytes),
    ]),
  );
  const why = summaries
    .filter((s) => s.scenario.startsWith('mutate ') && s.tool === 'tsbuild')
    .flatMap((s) => [`\n${s.scenario}: re-ran`, ...s.reran.map((r) => `  ${r.step}\n    because ${r.why}`)]);
  return `${table}${why.length > 0 ? `${why.join('\n')}\n` : ''}`;
}
