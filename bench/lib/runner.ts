/**
 * Runs one case for every engine: warm-up, then rounds in which each engine runs once, in an order
 * that rotates every round so drift (other load, page cache, thermal) hits all engines alike.
 * Preparing a run (dropping caches, editing a file, removing the last export) happens between
 * timed commands, never inside them.
 */
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CaseDef } from './cases.ts';
import type { Engine } from './engines/types.ts';
import type { GeneratedScenario } from './generate.ts';
import { type Measurement, measure } from './measure.ts';
import { type CaseResult, summarize } from './results.ts';
import { q, sh } from './shell.ts';

export interface RunnerContext {
  readonly work: string;
  readonly base: string;
  readonly say: (line: string) => void;
  /** Overrides every case's run count (e.g. 1 for a smoke run). */
  readonly runs?: number;
  readonly warmup?: number;
}

interface Plan {
  readonly engine: Engine;
  readonly tags: readonly string[];
  readonly command: string;
  readonly prepare: (round: number) => Promise<void>;
}

/** Slow cold cases skip the warm-up run: it would cost minutes and only refills the page cache. */
const SLOW_COLD = new Set(['s5-cold', 's6-concurrent']);

function tagsOf(engine: Engine, scenario: GeneratedScenario): string[] {
  const many = scenario.contexts.length > 1;
  return scenario.contexts.map(
    (_, i) => `bench-${scenario.id}${many ? `-v${i + 1}` : ''}-${engine.id}:latest`,
  );
}

/** Runs every build at once and fails when any of them fails. */
export function concurrently(commands: readonly string[]): string {
  const starts = commands.map((c) => `(${c}) & pids="$pids $!"`).join('; ');
  return `pids=; ${starts}; rc=0; for p in $pids; do wait $p || rc=1; done; exit $rc`;
}

function plan(engine: Engine, def: CaseDef, scenario: GeneratedScenario, ctx: RunnerContext): Plan | string {
  const tags = tagsOf(engine, scenario);
  const builds = scenario.contexts.map((context, i) =>
    engine.build({ context, tag: tags[i]!, base: ctx.base }),
  );
  const reset = () => engine.reset(tags);
  switch (def.kind) {
    case 'cold':
      return { engine, tags, command: builds[0]!, prepare: reset };
    case 'noop':
      return { engine, tags, command: builds[0]!, prepare: async () => undefined };
    case 'change': {
      const file = join(scenario.contexts[0]!, scenario.mutable!);
      return {
        engine,
        tags,
        command: builds[0]!,
        // A new line every run: a change back to earlier content would be a cache hit.
        prepare: (round) => appendFile(file, `// edit ${engine.id} ${round} ${process.hrtime.bigint()}\n`),
      };
    }
    case 'export-cold':
    case 'export-cached':
    case 'export-only': {
      const dest = join(ctx.work, 'out', `${engine.id}.tar`);
      const exported = engine.exportImage(tags[0]!, dest, def.compression ?? 'none');
      if ('unsupported' in exported) return `no export: ${exported.unsupported}`;
      const kind = def.kind;
      return {
        engine,
        tags,
        command: kind === 'export-only' ? exported.command : `${builds[0]} && ${exported.command}`,
        prepare: async () => {
          await rm(dest, { force: true });
          if (kind !== 'export-cached') await reset();
          if (kind === 'export-only') await sh(builds[0]!);
        },
      };
    }
    case 'concurrent-cold':
      return { engine, tags, command: concurrently(builds), prepare: reset };
  }
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const n = items.length;
  return items.map((_, i) => items[(i + by) % n]!);
}

function format(m: Measurement): string {
  return m.error === undefined ? `${m.seconds.toFixed(3)} s` : `FAILED (${m.error.split('\n')[0]})`;
}

export async function runCase(
  def: CaseDef,
  scenario: GeneratedScenario,
  engines: readonly Engine[],
  ctx: RunnerContext,
): Promise<CaseResult> {
  const scratch = join(ctx.work, 'scratch');
  await mkdir(scratch, { recursive: true });
  await mkdir(join(ctx.work, 'out'), { recursive: true });
  const runs = ctx.runs ?? def.runs;
  const warmup = ctx.warmup ?? (SLOW_COLD.has(def.id) && def.kind !== 'noop' ? 0 : 1);
  const notes = new Map<string, string[]>(engines.map((e) => [e.id, []]));
  const timed = new Map<string, { seconds: number; totalMb: number; processMb: number }[]>(
    engines.map((e) => [e.id, []]),
  );
  const plans: Plan[] = [];
  for (const engine of engines) {
    const p = plan(engine, def, scenario, ctx);
    if (typeof p === 'string') notes.get(engine.id)!.push(p);
    else plans.push(p);
  }
  const mutable = def.kind === 'change' ? join(scenario.contexts[0]!, scenario.mutable!) : undefined;
  const original = mutable === undefined ? undefined : await readFile(mutable);
  const once = async (p: Plan, round: number): Promise<Measurement> => {
    await p.prepare(round);
    // Deletions and writes of the preparation go to disk now, not during the timed run.
    await sh('sync');
    return measure({ command: p.command, scratch, daemons: () => p.engine.daemons() });
  };
  let live = plans;
  try {
    for (let w = 0; w < warmup; w++) {
      const ok: Plan[] = [];
      for (const p of live) {
        const m = await once(p, -1 - w);
        ctx.say(`${def.id} warm-up: ${p.engine.id} ${format(m)}`);
        if (m.error === undefined) ok.push(p);
        else notes.get(p.engine.id)!.push(`warm-up failed: ${m.error}`);
      }
      live = ok;
    }
    for (let round = 0; round < runs; round++) {
      for (const p of rotate(live, round)) {
        const m = await once(p, round);
        ctx.say(`${def.id} run ${round + 1}/${runs}: ${p.engine.id} ${format(m)}`);
        if (m.error !== undefined) notes.get(p.engine.id)!.push(`run ${round + 1} failed: ${m.error}`);
        else timed.get(p.engine.id)!.push({ seconds: m.seconds, ...m.rss });
      }
    }
  } finally {
    if (mutable !== undefined && original !== undefined) await writeFile(mutable, original);
  }
  return {
    id: def.id,
    title: def.title,
    kind: def.kind,
    runs,
    warmup,
    ...(def.target !== undefined && { target: def.target }),
    results: engines.map((e) => summarize(e.id, timed.get(e.id)!, notes.get(e.id)!)),
  };
}

/** The floors for s4: the same number of incompressible bytes through tar alone, gzip -1 and zstd -1. */
export async function runFloors(bytes: number, ctx: RunnerContext): Promise<CaseResult> {
  const dir = join(ctx.work, 'floor');
  await mkdir(dir, { recursive: true });
  const big = join(dir, 'big.bin');
  await sh(`head -c ${bytes} /dev/urandom > ${q(big)}`);
  const out = join(ctx.work, 'out', 'floor');
  const tar = `tar -C ${q(dir)} -cf - big.bin`;
  const floors = [
    { id: 'tar', command: `${tar} > ${q(out)}` },
    { id: 'tar | gzip -1', command: `${tar} | gzip -1 > ${q(out)}` },
    { id: 'tar | zstd -1', command: `${tar} | zstd -q -1 > ${q(out)}` },
  ];
  const scratch = join(ctx.work, 'scratch');
  await mkdir(scratch, { recursive: true });
  const runs = ctx.runs ?? 3;
  const timed = new Map<string, { seconds: number; totalMb: number; processMb: number }[]>(
    floors.map((f) => [f.id, []]),
  );
  const notes = new Map<string, string[]>(floors.map((f) => [f.id, []]));
  for (let round = 0; round < runs; round++) {
    for (const f of rotate(floors, round)) {
      await rm(out, { force: true });
      await sh('sync');
      const m = await measure({ command: f.command, scratch });
      ctx.say(`s4-floor run ${round + 1}/${runs}: ${f.id} ${format(m)}`);
      if (m.error !== undefined) notes.get(f.id)!.push(m.error);
      else timed.get(f.id)!.push({ seconds: m.seconds, ...m.rss });
    }
  }
  await rm(dir, { recursive: true, force: true });
  await rm(out, { force: true });
  return {
    id: 's4-floor',
    title: `s4 floor: ${bytes / 1e6} MB of incompressible bytes`,
    kind: 'floor',
    runs,
    warmup: 0,
    results: floors.map((f) => summarize(f.id, timed.get(f.id)!, notes.get(f.id)!)),
  };
}
