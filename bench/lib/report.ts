/**
 * Renders a run's results as Markdown: the time table with each engine's ratio to docker BuildKit,
 * the targets of issue 8, peak memory, the s4 compression floors and the machine.
 */
import { S2_COLD_RSS_TARGET_MB } from './cases.ts';
import type { BenchResults, CaseResult, EngineResult } from './results.ts';

const REFERENCE = 'buildkit';
const TSBUILD_ENGINES = ['tsbuild', 'tsbuild-serve'];

function seconds(s: number): string {
  return s >= 10 ? s.toFixed(1) : s >= 1 ? s.toFixed(2) : s.toFixed(3);
}

function resultOf(c: CaseResult, engine: string): EngineResult | undefined {
  return c.results.find((r) => r.engine === engine);
}

/** Ratio of an engine's median to BuildKit's median in the same case. */
export function ratio(c: CaseResult, engine: string): number | undefined {
  const mine = resultOf(c, engine)?.median;
  const ref = resultOf(c, REFERENCE)?.median;
  return mine === undefined || ref === undefined || ref === 0 ? undefined : mine / ref;
}

function cell(c: CaseResult, engine: string): string {
  const r = resultOf(c, engine);
  if (r?.median === undefined) return r?.notes.length ? 'failed / n/a ¹' : '—';
  const x = ratio(c, engine);
  const range = `${seconds(r.min!)}–${seconds(r.max!)}`;
  return `${seconds(r.median)} s (${range})${x === undefined || engine === REFERENCE ? '' : ` ×${x.toFixed(2)}`}`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function timesTable(results: BenchResults): string {
  const engines = results.engines;
  const cases = results.cases.filter((c) => c.kind !== 'floor');
  return table(
    ['case', 'runs', ...engines.map((e) => e.label)],
    cases.map((c) => [c.title, `${c.runs}`, ...engines.map((e) => cell(c, e.id))]),
  );
}

function targetsTable(results: BenchResults): string {
  const present = TSBUILD_ENGINES.filter((id) => results.engines.some((e) => e.id === id));
  const rows = results.cases
    .filter((c) => c.target !== undefined)
    .map((c) => {
      const cells = present.map((id) => {
        const x = ratio(c, id);
        if (x === undefined) return 'n/a';
        return `${x.toFixed(2)} ${x <= c.target! ? 'met' : 'MISSED'}`;
      });
      return [c.title, `≤ ${c.target!.toFixed(2)}`, ...cells];
    });
  const s2 = results.cases.find((c) => c.id === 's2-cold');
  const rss = s2 === undefined ? undefined : resultOf(s2, 'tsbuild')?.peakProcessRssMb;
  if (rss !== undefined) {
    rows.push([
      'peak RSS of tsbuild during s2 cold',
      `≤ ${S2_COLD_RSS_TARGET_MB} MB`,
      `${rss.toFixed(0)} MB ${rss <= S2_COLD_RSS_TARGET_MB ? 'met' : 'MISSED'}`,
      ...present.slice(1).map(() => ''),
    ]);
  }
  const labels = present.map((id) => results.engines.find((e) => e.id === id)!.label);
  return table(['target (ratio to docker BuildKit)', 'goal', ...labels], rows);
}

function memoryTable(results: BenchResults): string | undefined {
  const engines = results.engines;
  const memory = (c: CaseResult, id: string) => {
    const r = resultOf(c, id);
    if (r?.peakRssMb === undefined) return '—';
    return `${r.peakRssMb.toFixed(0)} (${r.peakProcessRssMb!.toFixed(0)})`;
  };
  const cases = results.cases.filter((c) => c.id === 's2-cold' || c.kind === 'concurrent-cold');
  if (cases.length === 0) return undefined;
  return table(
    ['case', ...engines.map((e) => e.label)],
    cases.map((c) => [c.title, ...engines.map((e) => memory(c, e.id))]),
  );
}

/** Which floor each export case is held against, and the factor issue 8 allows. */
const FLOOR_OF: Readonly<Record<string, string>> = {
  's4-export-cached': 'tar',
  's4-save-gzip': 'tar | gzip -1',
  's4-save-zstd': 'tar | zstd -1',
};
export const FLOOR_FACTOR = 1.3;

function floorsTable(results: BenchResults): string | undefined {
  const floor = results.cases.find((c) => c.kind === 'floor');
  if (floor === undefined) return undefined;
  const rows = floor.results.map((r) => [
    r.engine,
    r.median === undefined ? 'failed' : `${seconds(r.median)} s`,
    '',
  ]);
  for (const [id, floorId] of Object.entries(FLOOR_OF)) {
    const c = results.cases.find((x) => x.id === id);
    const bound = resultOf(floor, floorId)?.median;
    for (const e of TSBUILD_ENGINES) {
      const m = c === undefined ? undefined : resultOf(c, e)?.median;
      if (m === undefined || bound === undefined) continue;
      const label = results.engines.find((x) => x.id === e)?.label ?? e;
      const x = m / bound;
      rows.push([
        `${label}: ${c!.title}`,
        `${seconds(m)} s`,
        `×${x.toFixed(2)} of ${floorId} ${x <= FLOOR_FACTOR ? 'met' : 'MISSED'}`,
      ]);
    }
  }
  return table(['s4 (same 300 MB of random bytes)', 'median', `vs floor (goal ≤ ×${FLOOR_FACTOR})`], rows);
}

function notes(results: BenchResults): string {
  const lines: string[] = [];
  for (const s of results.skipped) lines.push(`- ${s.id} skipped: ${s.reason}`);
  for (const c of results.cases) {
    for (const r of c.results) {
      for (const n of r.notes) lines.push(`- ${c.id}, ${r.engine}: ${n.split('\n')[0]}`);
    }
  }
  return lines.length === 0 ? '' : `¹ Notes:\n\n${lines.join('\n')}\n`;
}

export function machineSection(results: BenchResults): string {
  const m = results.machine;
  const lines = [
    `- CPU: ${m.cpu}, ${m.cores} cores; RAM ${m.memoryGiB} GiB`,
    `- OS: ${m.os}, kernel ${m.kernel}`,
    `- Disk (stores and contexts): ${m.disk}`,
    ...results.engines.map((e) => `- ${e.label}: ${e.version}`),
    ...Object.entries(m.tools).map(([k, v]) => `- ${k}: ${v}`),
  ];
  return lines.join('\n');
}

export function renderMarkdown(results: BenchResults): string {
  const floors = floorsTable(results);
  const memory = memoryTable(results);
  return [
    `## Results of ${results.date} on ${results.host}`,
    '',
    `Seed \`${results.seed}\`; harness run time ${(results.durationSeconds / 60).toFixed(1)} min. ` +
      'Cells: median (min–max) and, after ×, the ratio to docker BuildKit’s median in the same run.',
    '',
    timesTable(results),
    '',
    '### Targets of issue 8',
    '',
    targetsTable(results),
    '',
    ...(memory === undefined
      ? []
      : [
          '### Peak memory, MB: all processes of the build and the engine’s daemons (largest single process)',
          '',
          memory,
          '',
        ]),
    ...(floors === undefined ? [] : ['### Export against the compression floor', '', floors, '']),
    '### Machine',
    '',
    machineSection(results),
    '',
    notes(results),
  ].join('\n');
}
