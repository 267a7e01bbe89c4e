/**
 * Differential conformance: every case under fixtures/conformance/ is built
 * by docker 20.10's BuildKit (a private dockerd) and by tsbuild from the same
 * busybox base image, and the results must agree on the image config, the
 * history and every file of the root filesystem. A difference fails the test
 * unless the case lists it as a deviation explained in docs/conformance.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { E2E_REASON, E2E_SKIP } from '../support/cli.ts';
import { type Dockerd, dockerAvailable, startDockerd } from '../support/dockerd.ts';
import { readSavedImage, type SavedImage } from './support/archive.ts';
import { type ConformanceCase, inDependencyOrder, loadCases, prepareContext } from './support/cases.ts';
import { compareImages } from './support/compare.ts';
import { createDockerEngine, createTsbuildEngine, type Engine } from './support/engines.ts';

const DOC = resolve(import.meta.dirname, '../../docs/conformance.md');
const cases = inDependencyOrder(await loadCases());
const skipReason = E2E_SKIP
  ? E2E_REASON
  : (dockerAvailable() ?? (cases.length === 0 ? 'no cases under fixtures/conformance' : undefined));

type Outcome = { readonly image: SavedImage } | { readonly error: string };

async function attempt(fn: () => Promise<string>): Promise<Outcome> {
  try {
    return { image: await readSavedImage(await fn()) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

describe.skipIf(skipReason !== undefined)(
  `differential conformance against docker's BuildKit (${skipReason ?? 'root, runc, dockerd'})`,
  () => {
    let work: string;
    let dockerd: Dockerd;
    let engines: readonly Engine[];
    const outcomes = new Map<string, Promise<readonly [Outcome, Outcome]>>();

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'tsb-conformance-'));
      dockerd = await startDockerd();
      const baseArchive = join(work, 'base.tar');
      const tsbuild = await createTsbuildEngine(join(work, 'store'), inject('busyboxRootfs'), baseArchive);
      await dockerd.docker(['load', '-i', baseArchive]);
      engines = [createDockerEngine(dockerd), tsbuild];
    });

    afterAll(async () => {
      for (const e of engines ?? []) await e.close();
      await dockerd?.stop();
      // CONFORMANCE_KEEP=1 keeps the contexts and archives to look into a failure.
      if (process.env.CONFORMANCE_KEEP === '1') console.log(`conformance work dir kept: ${work}`);
      else if (work !== undefined) await rm(work, { recursive: true, force: true });
    });

    /** Builds a case in both engines once, after the cases it needs. */
    function outcome(c: ConformanceCase): Promise<readonly [Outcome, Outcome]> {
      let pending = outcomes.get(c.name);
      if (pending === undefined) {
        pending = (async () => {
          for (const n of c.spec.needs ?? []) await outcome(cases.find((x) => x.name === n)!);
          const dir = join(work, c.name);
          const context = join(dir, 'context');
          await mkdir(dir, { recursive: true });
          await prepareContext(c, context);
          const [a, b] = await Promise.all(
            engines.map((engine) =>
              attempt(async () => {
                const archive = join(dir, `${engine.name}.tar`);
                await engine.build({ case: c, context, archive });
                return archive;
              }),
            ),
          );
          return [a!, b!] as const;
        })();
        outcomes.set(c.name, pending);
      }
      return pending;
    }

    it.concurrent.each(cases)('$name: $spec.description', async (c) => {
      const [docker, tsbuild] = await outcome(c);
      if (c.spec.expectError === true) {
        expect('error' in docker, 'docker should refuse this build').toBe(true);
        expect('error' in tsbuild, 'tsbuild should refuse this build').toBe(true);
        return;
      }
      if ('error' in docker) throw new Error(`docker could not build the case:\n${docker.error}`);
      if ('error' in tsbuild) throw new Error(`tsbuild could not build the case:\n${tsbuild.error}`);
      const differences = compareImages(docker.image, tsbuild.image, c.aspects);
      const allowed = c.spec.deviations ?? [];
      expect(differences.filter((d) => !allowed.some((a) => a.line === d))).toEqual([]);
      // A listed deviation that no longer happens is stale: remove it from case.json and the docs.
      expect(allowed.filter((a) => !differences.includes(a.line)).map((a) => a.line)).toEqual([]);
    });
  },
);

it('every deviation a conformance case accepts is explained in docs/conformance.md', () => {
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
  const sections = cases.flatMap((c) => (c.spec.deviations ?? []).map((d) => d.doc));
  expect(sections.filter((s) => !doc.includes(`### ${s}:`))).toEqual([]);
});
