/**
 * The file op for COPY and ADD. From the build context, the key includes the
 * content checksum of exactly the entries the instruction selects; from a
 * stage or an image, the source vertex's key stands for its content.
 */
import { lstat } from 'node:fs/promises';
import { posix } from 'node:path';
import { type ContextEntry, computeCacheKey } from '../cache/index.ts';
import { TsbuildError } from '../errors.ts';
import { resolveUser } from '../executor/index.ts';
import type { CopyStep } from '../plan/types.ts';
import type { Op, VertexContext } from '../solver/index.ts';
import { parseChmod } from './chmod.ts';
import { writeEntries, writeInline } from './copy-files.ts';
import { finishLayer, loadRecord } from './layer.ts';
import { selectFromLayers } from './layered-source.ts';
import { ensureSnapshot } from './rootfs.ts';
import type { BuildInputs, OpServices } from './services.ts';
import type { StateResult } from './types.ts';
import { stackOf } from './upper.ts';

export interface CopyOpOptions {
  readonly step: CopyStep;
  readonly services: OpServices;
  readonly inputs: BuildInputs;
}

const NUMERIC_OWNER = /^(\d+)(?::(\d+))?$/;

/** A numeric --chown is known before the parent exists; a name needs the image's passwd. */
function numericChown(chown: string | undefined): { uid: number; gid: number } | undefined {
  const m = chown === undefined ? undefined : NUMERIC_OWNER.exec(chown);
  return m ? { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) } : undefined;
}

export function copyDefinition(step: CopyStep): Record<string, unknown> {
  return {
    op: step.add ? 'add' : 'copy',
    sources: step.sources,
    inline: step.inline,
    dest: step.dest,
    chown: step.chown ?? '',
    chmod: step.chmod ?? '',
    link: step.link,
    parents: step.parents,
    exclude: step.exclude,
    checksum: step.checksum ?? '',
    from: step.from.kind,
  };
}

function unsupported(step: CopyStep): void {
  const remote = step.sources.find((s) => /^(https?|git):\/\/|^git@|\.git$/.test(s));
  if (step.add && remote !== undefined) {
    throw new TsbuildError(
      'DF_PLAN',
      `${step.display}: ADD from a URL or git repository (${remote}) is not supported yet`,
      {
        hint: 'download the file in a RUN step, or add it to the build context',
      },
    );
  }
}

export function createCopyOp(options: CopyOpOptions): Op<StateResult> {
  const { step, services, inputs } = options;
  const definition = copyDefinition(step);
  const chmod = step.chmod === undefined ? undefined : parseChmod(step.chmod);
  const numeric = numericChown(step.chown);
  unsupported(step);

  const contextSelection = () => ({
    sources: step.sources,
    ignore: inputs.ignore,
    excludes: step.exclude,
    parents: step.parents,
    ...(numeric !== undefined && { chown: numeric }),
    ...(chmod !== undefined && { chmod }),
  });

  let keyInputs: readonly string[] = [];
  return {
    async cacheKey(inputKeys: readonly string[], ctx: VertexContext) {
      keyInputs = inputKeys;
      if (step.from.kind !== 'context' || step.sources.length === 0)
        return computeCacheKey(definition, inputKeys);
      const sum = await services.hasher.checksum(inputs.contextDir, contextSelection());
      ctx.progress(sum.entries.reduce((n, e) => n + e.size, 0));
      return computeCacheKey(definition, inputKeys, sum.digest);
    },
    load: (key) => loadRecord(services, key),
    async run(states, key, ctx) {
      const parent = states[0]!;
      const parentSnapshot = await ensureSnapshot(services, parent);
      const active = await services.snapshotter.prepare(parentSnapshot);
      try {
        const rootfs = stackOf(active.upperDir, active.lowerDirs);
        const owner =
          step.chown === undefined
            ? { uid: 0, gid: 0 }
            : (numeric ?? (await resolveUser(rootfs, step.chown)));
        const target = {
          upperDir: active.upperDir,
          lowerDirs: active.lowerDirs,
          dest: step.dest,
          owner: { uid: 0, gid: 0 },
        };
        let entries: readonly ContextEntry[] = [];
        let readPath: (e: ContextEntry) => string;
        if (step.from.kind === 'context') {
          if (step.sources.length > 0)
            entries = (await services.hasher.checksum(inputs.contextDir, contextSelection())).entries;
          readPath = (e) => posix.join(inputs.contextDir, e.path);
        } else {
          const source = states[1]!;
          const sourceSnapshot = await ensureSnapshot(services, source);
          const layers =
            sourceSnapshot === undefined ? [] : await services.snapshotter.lowerDirs(sourceSnapshot);
          const selected = await selectFromLayers(layers, step.sources, {
            parents: step.parents,
            excludes: step.exclude,
            ...(chmod !== undefined && { chmod }),
          });
          entries = selected.entries;
          readPath = (e) => selected.hostPath(e);
        }
        const owned =
          step.chown === undefined ? entries : entries.map((e) => ({ ...e, uid: owner.uid, gid: owner.gid }));
        const bytes = await writeEntries(
          target,
          owned,
          readPath,
          async (e) => (await lstat(readPath(e))).mtime,
        );
        if (step.inline.length > 0)
          await writeInline(target, step.inline, owner, chmod?.(0o644, 'file') ?? 0o644);
        ctx.progress(bytes);
      } catch (err) {
        await active.abort().catch(() => undefined);
        throw err;
      }
      return finishLayer(services, active, parent, parentSnapshot, {
        key,
        signal: ctx.signal,
        ...(inputs.sourceDateEpoch !== undefined && { sourceDateEpoch: inputs.sourceDateEpoch }),
        definition,
        description: step.display,
        inputKeys: keyInputs,
      });
    },
  };
}
