/**
 * The comparison benchmark of issue 8: every scenario (s1–s6) for every available engine
 * (tsbuild in-process and through `tsbuild serve`, docker BuildKit, the legacy docker builder,
 * buildah), all building FROM one busybox served by a loopback registry, timed with hyperfine.
 * Writes bench/results/<date>-<host>.{json,md} and, for a full run, the table in
 * docs/benchmarks.md. Needs root; bench/setup.sh installs the engines.
 *
 * Usage: node bench/compare.ts [--scenarios s1,s2] [--engines tsbuild,buildkit] [--runs N]
 *          [--warmup N] [--seed S] [--scale F] [--work DIR] [--no-docs]
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startRegistry } from '../test/support/registry.ts';
import { pushBaseImage } from './lib/base-image.ts';
import { CASES } from './lib/cases.ts';
import { ensureContexts } from './lib/contexts.ts';
import { buildahFactory } from './lib/engines/buildah.ts';
import { buildkitFactory, dockerLegacyFactory } from './lib/engines/docker.ts';
import { tsbuildFactory, tsbuildServeFactory } from './lib/engines/tsbuild.ts';
import type { Engine, EngineFactory } from './lib/engines/types.ts';
import { SCENARIO_IDS, type ScenarioId, SIZES } from './lib/generate.ts';
import { describeMachine, shortHost } from './lib/machine.ts';
import { renderMarkdown } from './lib/report.ts';
import type { BenchResults, CaseResult } from './lib/results.ts';
import { runCase, runFloors } from './lib/runner.ts';
import { installTsbuild } from './lib/tsbuild-install.ts';

const REPO = resolve(import.meta.dirname, '..');
const DOCS = join(REPO, 'docs/benchmarks.md');
const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string' },
    engines: { type: 'string' },
    runs: { type: 'string' },
    warmup: { type: 'string' },
    seed: { type: 'string', default: 'tsbuild-bench-1' },
    scale: { type: 'string', default: '1' },
    work: { type: 'string', default: join(REPO, 'bench/work/compare') },
    'no-docs': { type: 'boolean', default: false },
  },
});

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const scenarios = (list(values.scenarios) ?? [...SCENARIO_IDS]) as ScenarioId[];
for (const s of scenarios) {
  if (!SCENARIO_IDS.includes(s)) throw new Error(`unknown scenario ${s}; known: ${SCENARIO_IDS.join(', ')}`);
}
const wantedEngines = list(values.engines);
const runs = values.runs === undefined ? undefined : Number(values.runs);
const warmup = values.warmup === undefined ? undefined : Number(values.warmup);
const scale = Number(values.scale);
const work = resolve(values.work);
const full =
  scenarios.length === SCENARIO_IDS.length &&
  wantedEngines === undefined &&
  runs === undefined &&
  scale === 1;

if (process.getuid?.() !== 0) {
  say('needs root: the engines mount overlays and run containers');
  process.exit(2);
}
if (!existsSync('/usr/bin/hyperfine')) {
  say('needs hyperfine: run bench/setup.sh');
  process.exit(2);
}

// Ctrl-C reaches hyperfine and the engines too; we only stop starting new runs, then clean up.
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
  say('interrupted: cleaning up');
});

const started = performance.now();
await mkdir(work, { recursive: true });
const install = await installTsbuild(work, say);
say(`engine under test: ${install.version}`);
const contexts = await ensureContexts(join(work, 'contexts'), values.seed, scale, scenarios, say);
const registry = await startRegistry();
const engines: Engine[] = [];
const skipped: { id: string; reason: string }[] = [];
const cases: CaseResult[] = [];
try {
  const base = await pushBaseImage(registry.host);
  say(`base image ${base}`);
  const factories: EngineFactory[] = [
    tsbuildFactory(install),
    tsbuildServeFactory(install),
    buildkitFactory,
    dockerLegacyFactory,
    buildahFactory,
  ];
  for (const f of factories) {
    if (wantedEngines !== undefined && !wantedEngines.includes(f.id)) continue;
    const reason = await f.unavailable();
    if (reason !== undefined) {
      say(`skipping ${f.id}: ${reason}`);
      skipped.push({ id: f.id, reason });
      continue;
    }
    try {
      engines.push(await f.start({ work, base, say }));
      say(`engine ${f.id} ready`);
    } catch (error) {
      const reason = `could not start: ${(error as Error).message}`;
      say(`skipping ${f.id}: ${reason}`);
      skipped.push({ id: f.id, reason });
    }
  }
  for (const def of CASES.filter((c) => scenarios.includes(c.scenario))) {
    if (interrupted) break;
    say(`case ${def.id}: ${def.title}`);
    cases.push(
      await runCase(def, contexts.get(def.scenario)!, engines, {
        work,
        base,
        say,
        ...(runs !== undefined && { runs }),
        ...(warmup !== undefined && { warmup }),
      }),
    );
  }
  if (scenarios.includes('s4') && !interrupted) {
    cases.push(
      await runFloors(Math.round(SIZES.s4LayerBytes * scale), {
        work,
        base,
        say,
        ...(runs !== undefined && { runs }),
      }),
    );
  }
} finally {
  for (const e of engines) await e.stop().catch((error: Error) => say(`stopping ${e.id}: ${error.message}`));
  await registry.stop();
  await rm(join(work, 'out'), { recursive: true, force: true });
}

const now = new Date();
const date = now.toISOString().slice(0, 10);
const host = shortHost();
const results: BenchResults = {
  date: now.toISOString(),
  host,
  seed: values.seed,
  machine: await describeMachine(work),
  engines: engines.map((e) => ({ id: e.id, label: e.label, version: e.version })),
  skipped,
  cases,
  durationSeconds: (performance.now() - started) / 1000,
};
const markdown = renderMarkdown(results);
const resultsDir = join(REPO, 'bench/results');
await mkdir(resultsDir, { recursive: true });
const stem = join(resultsDir, `${date}-${host}${full && !interrupted ? '' : '-partial'}`);
await writeFile(`${stem}.json`, `${JSON.stringify(results, null, 2)}\n`);
await writeFile(`${stem}.md`, `${markdown}\n`);
say(`results: ${stem}.{json,md}`);
if (full && !values['no-docs'] && !interrupted) {
  const docs = await readFile(DOCS, 'utf8');
  const from = docs.indexOf(START);
  const to = docs.indexOf(END);
  if (from < 0 || to < from) say(`${DOCS} has no ${START} … ${END} markers; not updated`);
  else {
    await writeFile(DOCS, `${docs.slice(0, from + START.length)}\n${markdown}\n${docs.slice(to)}`);
    say(`updated ${DOCS}`);
  }
}
process.stdout.write(`${markdown}\n`);
