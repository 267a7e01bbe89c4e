/**
 * A real store for op tests (snapshots, blobs, records), states made from directories, and a
 * way to run one COPY/ADD op and read the resulting filesystem through its layers.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openServices, type Services } from '../../src/builder/services.ts';
import { lookupInLayers } from '../../src/executor/index.ts';
import { chainIdOf, writeLayerBlob } from '../../src/image/index.ts';
import { type CopyPlacement, createCopyOp } from '../../src/ops/copy.ts';
import { ensureSnapshot } from '../../src/ops/rootfs.ts';
import type { BuildInputs } from '../../src/ops/services.ts';
import { EMPTY_STATE, type StateResult } from '../../src/ops/types.ts';
import type { CopyStep } from '../../src/plan/types.ts';
import type { VertexContext } from '../../src/solver/index.ts';

export const isRoot = process.getuid?.() === 0;

export interface OpsFixture {
  readonly services: Services;
  readonly root: string;
  /** A fresh temp dir removed with the fixture. */
  tempDir(): Promise<string>;
}

export function useOpsStore(): OpsFixture {
  let services: Services | undefined;
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tsb-ops-'));
    services = await openServices({ root: join(root, 'store'), snapshotter: 'overlay' });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });
  return {
    get services() {
      if (services === undefined) throw new Error('useOpsStore: only inside tests');
      return services;
    },
    get root() {
      return root;
    },
    tempDir: () => mkdtemp(join(root, 'tmp-')),
  };
}

/** A state whose one layer is what `populate` writes into an upper dir over `parent`. */
export async function stateFrom(
  services: Services,
  populate: (upperDir: string) => Promise<void>,
  parent: StateResult = EMPTY_STATE,
): Promise<StateResult> {
  const parentSnapshot = await ensureSnapshot(services, parent);
  const active = await services.snapshotter.prepare(parentSnapshot);
  await populate(active.upperDir);
  const blob = await writeLayerBlob(services.store, active.upperDir);
  const layers = [...parent.layers, { ...blob.descriptor, diffId: blob.diffId }];
  const snapshotId = await active.commit({ chainId: chainIdOf(layers.map((l) => l.diffId))! });
  return {
    layers,
    snapshotId,
    stepLayers: [...parent.stepLayers, true],
    stepTimes: [...parent.stepTimes, new Date(0).toISOString()],
  };
}

export function copyStep(fields: Partial<CopyStep> & Pick<CopyStep, 'sources' | 'dest'>): CopyStep {
  const display = `${fields.add === true ? 'ADD' : 'COPY'} ${fields.sources.join(' ')} ${fields.dest}`;
  return {
    kind: 'copy',
    add: false,
    from: { kind: 'context' },
    inline: [],
    workdir: '/',
    link: false,
    parents: false,
    exclude: [],
    keepGitDir: false,
    display,
    createdBy: display,
    range: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } },
    ...fields,
  };
}

export function inputsFor(contextDir: string, ignore: readonly string[] = []): BuildInputs {
  return { contextDir, ignore, secrets: new Map(), sshSockets: new Map(), network: 'none' };
}

export function fakeContext(signal = new AbortController().signal): VertexContext {
  return { signal, vertex: { id: 't', name: 't' }, log: () => undefined, progress: () => undefined };
}

export interface CopyRun {
  readonly key: string;
  readonly state: StateResult;
}

/** Keys and runs one COPY/ADD: `states` are the op's inputs (parent first, then a --from source). */
export async function runCopy(
  services: Services,
  step: CopyStep,
  inputs: BuildInputs,
  states: readonly StateResult[],
  inputKeys: readonly string[] = states.map((_, i) => `sha256:${String(i).repeat(64)}`),
  placement: CopyPlacement = 'parent',
): Promise<CopyRun> {
  const op = createCopyOp({ step, services, inputs }, placement);
  const ctx = fakeContext();
  const key = await op.cacheKey(inputKeys, ctx);
  return { key, state: await op.run(states, key, ctx) };
}

/** The layer dirs of a state, top first. */
export async function layersOf(services: Services, state: StateResult): Promise<readonly string[]> {
  const id = await ensureSnapshot(services, state);
  return id === undefined ? [] : services.snapshotter.lowerDirs(id);
}

/** Where `path` is in the merged filesystem of `state` (host path), or undefined. */
export async function hostPathIn(
  services: Services,
  state: StateResult,
  path: string,
): Promise<string | undefined> {
  const found = await lookupInLayers(await layersOf(services, state), path, { followFinal: false });
  return found.kind === 'found' ? found.hostPath : undefined;
}

export async function readIn(
  services: Services,
  state: StateResult,
  path: string,
): Promise<string | undefined> {
  const host = await hostPathIn(services, state, path);
  return host === undefined ? undefined : readFile(host, 'utf8');
}
