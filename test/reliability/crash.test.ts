/**
 * Crash consistency: the real CLI is SIGKILLed at random instants during cold builds, cached
 * builds, pulls, builds that pull, pushes, saves and prunes, all on one store. After every kill:
 * the store holds no corruption (only debris), the next build sweeps the debris, succeeds and
 * gives the image ID of an uninterrupted build on a fresh store, and afterwards the store checks
 * clean with no mount, container, temp file, lock or lease left.
 * TSBUILD_CRASH_KILLS (default 56) sets the number of kills, TSBUILD_CRASH_SEED the instants.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkStore } from '../../src/check/index.ts';
import { createRandom } from '../parser/fuzz-inputs.ts';
import { E2E_REASON, E2E_SKIP, tsbuild } from '../support/cli.ts';
import { hasRegistryBinary } from '../support/registry.ts';
import { runKilledAt } from './support/kill.ts';
import { findLeaks } from './support/leaks.ts';
import { startWorld, type World, writeAppContext } from './support/world.ts';

const KILLS = Number(process.env.TSBUILD_CRASH_KILLS ?? 56);
const SEED = Number(process.env.TSBUILD_CRASH_SEED ?? 9001);

interface Scenario {
  readonly name: string;
  /** Puts the store in the state the operation starts from (not killed). */
  readonly prep?: () => Promise<void>;
  /** The command line to kill; `i` varies it between rounds. */
  readonly op: (i: number) => readonly string[];
}

interface Tally {
  killed: number;
  finishedFirst: number;
  /** Kills after which the store held debris for the next start to sweep. */
  debris: number;
  /** Where that debris was (store areas). */
  readonly debrisIn: Set<string>;
  /** How long the operation ran uninterrupted: the window kill instants are drawn from. */
  windowMs: number;
}

describe.skipIf(E2E_SKIP || !hasRegistryBinary)(
  `crash consistency under SIGKILL (${E2E_REASON}, docker-registry)`,
  () => {
    let world: World;
    let root: string;
    let context: string;
    let reference: string;
    const tallies = new Map<string, Tally>();
    const rng = createRandom(SEED);

    const buildArgs = (iidfile: string, extra: readonly string[] = []) => [
      'build',
      ...extra,
      '-t',
      'app:1',
      '--source-date-epoch',
      '0',
      '--progress=plain',
      '--iidfile',
      iidfile,
      context,
    ];
    const must = async (args: readonly string[]) => {
      const result = await tsbuild(args, { root });
      expect(result.code, `tsbuild ${args.join(' ')}: ${result.stderr}`).toBe(0);
    };

    beforeAll(async () => {
      world = await startWorld(inject('busyboxRootfs'));
      context = await writeAppContext(path.join(world.dir, 'context'), world.baseRef);
      // The reference: an uninterrupted build on a store of its own.
      const iid = path.join(world.dir, 'reference.iid');
      const first = await tsbuild(buildArgs(iid), { root: path.join(world.dir, 'reference-store') });
      expect(first.code, first.stderr).toBe(0);
      reference = await readFile(iid, 'utf8');
      root = path.join(world.dir, 'store');
      await must(buildArgs(path.join(world.dir, 'warm.iid')));
    });

    afterAll(async () => {
      const rows = [...tallies].map(
        ([name, t]) =>
          `  ${name.padEnd(18)} killed ${String(t.killed).padStart(3)}, finished before the kill ${t.finishedFirst}, left debris ${t.debris} (${[...t.debrisIn].sort().join(', ') || '-'}), uninterrupted ${t.windowMs.toFixed(0)} ms`,
      );
      const total = [...tallies.values()].reduce((n, t) => n + t.killed, 0);
      console.log(`crash test (seed ${SEED}): ${total} kills\n${rows.join('\n')}`);
      await world?.cleanup();
    });

    /** After a kill: no corruption; the next build sweeps, succeeds, gives the reference ID; nothing leaks. */
    async function recover(what: string, tally: Tally): Promise<void> {
      const before = await checkStore(root);
      expect(
        before.problems.filter((p) => p.severity === 'corrupt'),
        `${what}: corruption right after the kill`,
      ).toEqual([]);
      if (before.problems.length > 0) tally.debris++;
      for (const p of before.problems) tally.debrisIn.add(p.path.split('/')[0]!);
      const iid = path.join(world.dir, 'next.iid');
      await rm(iid, { force: true });
      const next = await tsbuild(buildArgs(iid), { root });
      expect(next.code, `${what}: the next build failed: ${next.stderr}`).toBe(0);
      expect(await readFile(iid, 'utf8'), `${what}: the next build made another image`).toBe(reference);
      expect(await findLeaks(root), `${what}: left behind after the next build`).toEqual([]);
      expect((await checkStore(root)).problems, `${what}: store check after the next build`).toEqual([]);
    }

    const freeBase = async () => {
      for (const name of ['app:1', world.baseRef]) await must(['rmi', name]);
      await must(['prune', '--all', '-f']);
    };
    const scenarios: readonly Scenario[] = [
      { name: 'cold build', op: () => buildArgs(path.join(world.dir, 'op.iid'), ['--no-cache']) },
      { name: 'cached build', op: () => buildArgs(path.join(world.dir, 'op.iid')) },
      { name: 'pull', prep: freeBase, op: () => ['pull', world.baseRef] },
      { name: 'build that pulls', prep: freeBase, op: () => buildArgs(path.join(world.dir, 'op.iid')) },
      {
        name: 'push',
        op: (i) => [
          'push',
          'app:1',
          `${world.registry.host}/world/pushed-${i}:1`,
          '--compression',
          i % 2 ? 'zstd' : 'gzip',
        ],
      },
      {
        name: 'save',
        op: (i) => [
          'save',
          'app:1',
          '-o',
          path.join(world.dir, 'saved.tar'),
          '--format',
          i % 2 ? 'oci' : 'docker',
          '--compression-level',
          String(1 + (i % 9)),
        ],
      },
      { name: 'prune', op: () => ['prune', '--all', '-f'] },
    ];
    const perScenario = Math.ceil(KILLS / scenarios.length);

    for (const scenario of scenarios) {
      it(`${scenario.name}: ${perScenario} kills, each followed by a clean recovery`, {
        timeout: 900_000,
      }, async () => {
        const tally: Tally = { killed: 0, finishedFirst: 0, debris: 0, debrisIn: new Set(), windowMs: 0 };
        tallies.set(scenario.name, tally);
        // How long the operation runs uninterrupted: kill instants are drawn from that window.
        await scenario.prep?.();
        const timed = await runKilledAt(scenario.op(0), { root, afterMs: 600_000 });
        expect(timed.code, `${scenario.name} uninterrupted: ${timed.stderr}`).toBe(0);
        const window = timed.ranMs;
        tally.windowMs = window;
        await recover(`${scenario.name} (uninterrupted)`, tally);
        for (let i = 1; tally.killed < perScenario && i <= perScenario * 3; i++) {
          await scenario.prep?.();
          const afterMs = Math.round(rng() * window);
          const outcome = await runKilledAt(scenario.op(i), { root, afterMs });
          if (outcome.killed) tally.killed++;
          else tally.finishedFirst++;
          await recover(`${scenario.name} killed at ${afterMs} ms`, tally);
        }
        expect(tally.killed).toBe(perScenario);
      });
    }
  },
);
