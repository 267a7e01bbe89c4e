/** The summary every fuzz script prints at its end: seed, totals, rate, slowest input, examples. */
export function printFuzzReport(report: {
  readonly seed: number | string;
  readonly totals: { readonly inputs: number };
  readonly slowestMs: number;
  readonly startedMs: number;
  readonly examples: readonly string[];
  /** Extra words after the seed (e.g. how many seed files). */
  readonly about?: string;
  /** Input volume to show before the time (e.g. "12.3 MB"). */
  readonly volume?: string;
}): void {
  const seconds = (performance.now() - report.startedMs) / 1000;
  console.log(`seed ${report.seed}${report.about === undefined ? '' : `, ${report.about}`}`);
  console.log(report.totals);
  const rate = (report.totals.inputs / seconds).toFixed(0);
  const time = `${report.volume === undefined ? '' : `${report.volume} in `}${seconds.toFixed(1)} s`;
  console.log(`slowest input ${report.slowestMs.toFixed(1)} ms; ${rate} inputs/s; ${time}`);
  for (const e of report.examples) console.log(e);
}
