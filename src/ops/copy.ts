/**
 * The file op for COPY and ADD. From the build context, the key includes the content checksum
 * of exactly the entries the instruction selects; for ADD <url>, the downloaded content's digest;
 * from a stage or an image, the source vertex's key stands for its content.
 *
 * Placement `parent` writes onto the parent's files (the usual COPY). Placement `scratch` is
 * `COPY --link`: the files go onto an empty upper dir and the key leaves the parent out, so the
 * layer survives a change of base; the link-merge op (copy-link.ts) stacks it on the parent.
 */
import { aliasRecord, type ContextChecksum, type ContextEntry, computeCacheKey } from '../cache/index.ts';
import { TsbuildError } from '../errors.ts';
import { resolveUser } from '../executor/index.ts';
import type { CopyStep } from '../plan/types.ts';
import type { Op, VertexContext } from '../solver/index.ts';
import { extractArchive } from './add-archive.ts';
import { archiveCompression, type Compression, decompressedStream } from './add-decompress.ts';
import { fetchRemote, isGitSource, isUrlSource, type RemoteFile } from './add-url.ts';
import { type ChmodFn, parseChmod } from './chmod.ts';
import { writeEntries, writeInline } from './copy-files.ts';
import {
  concatSources,
  contextEntries,
  hashedManifest,
  layeredEntries,
  ownedBy,
  partition,
  remoteEntries,
  type SourceEntries,
} from './copy-sources.ts';
import { explainStep, finishLayer, loadRecord } from './layer.ts';
import { ensureSnapshot } from './rootfs.ts';
import { type BuildInputs, generationOf, type OpServices } from './services.ts';
import { EMPTY_STATE, type StateResult } from './types.ts';
import { ensureDir, type Owner, stackOf } from './upper.ts';

export interface CopyOpOptions {
  readonly step: CopyStep;
  readonly services: OpServices;
  readonly inputs: BuildInputs;
  /** Where the step sits in its Dockerfile (for `--explain`). */
  readonly slot?: string;
}

/** Where the copied files land: on the parent's files, or on nothing (`--link`). */
export type CopyPlacement = 'parent' | 'scratch';

const NUMERIC_OWNER = /^(\d+)(?::(\d+))?$/;

/** A numeric --chown is known before the parent exists; a name needs the image's passwd. */
export function numericChown(chown: string | undefined): Owner | undefined {
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
    unpack: step.unpack,
    from: step.from.kind,
  };
}

function checkSupported(step: CopyStep): void {
  const git = step.sources.find(isGitSource);
  if (step.add && git !== undefined) {
    throw new TsbuildError(
      'DF_PLAN',
      `${step.display}: ADD from a git repository (${git}) is not supported yet`,
      {
        hint: 'clone the repository in a RUN step, or add a checkout to the build context',
      },
    );
  }
  const url = step.sources.find((s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s));
  if (url !== undefined && (!step.add || step.from.kind !== 'context')) {
    throw new TsbuildError(
      'DF_PLAN',
      `${step.display}: ${url} is a URL; only ADD without --from downloads URLs`,
      {
        hint: step.add ? 'drop --from' : 'use ADD for URLs, or download the file in a RUN step',
      },
    );
  }
  if (step.checksum !== undefined && !step.sources.every(isUrlSource)) {
    throw new TsbuildError('DF_PLAN', `${step.display}: --checksum applies to URL sources only`);
  }
}

/** The root entries ADD unpacks instead of copying, with their compression. */
async function archivesOf(step: CopyStep, source: SourceEntries): Promise<Map<ContextEntry, Compression>> {
  const found = new Map<ContextEntry, Compression>();
  if (!step.add || step.unpack === false) return found;
  for (const e of source.entries) {
    if (e.type !== 'file' || e.dest.includes('/')) continue;
    // A downloaded archive is unpacked only when asked (--unpack), as in BuildKit.
    if (isUrlSource(e.path) && step.unpack !== true) continue;
    const compression = await archiveCompression(source.hostPath(e));
    if (compression !== undefined) found.set(e, compression);
  }
  return found;
}

export function createCopyOp(options: CopyOpOptions, placement: CopyPlacement = 'parent'): Op<StateResult> {
  const { step, services, inputs } = options;
  checkSupported(step);
  const definition = { ...copyDefinition(step), ...(placement === 'scratch' && { placement }) };
  const chmod: ChmodFn | undefined = step.chmod === undefined ? undefined : parseChmod(step.chmod);
  const numeric = numericChown(step.chown);
  const urls = step.sources.filter(isUrlSource);
  const paths = step.sources.filter((s) => !isUrlSource(s));
  // What the key was computed from, reused by run() so the step writes exactly what its key says.
  let contextSum: ContextChecksum | undefined;
  let remotes: readonly RemoteFile[] = [];
  let keyInputs: readonly string[] = [];
  // COPY --from: the key by the selected files' content, known once the source exists.
  let contentKey: string | undefined;
  const content = () =>
    contextSum === undefined ? undefined : { digest: contextSum.digest, entries: contextSum.entries };

  const contextSelection = () => ({
    sources: paths,
    ignore: inputs.ignore,
    excludes: step.exclude,
    parents: step.parents,
    ...(numeric !== undefined && { chown: numeric }),
    ...(chmod !== undefined && { chmod }),
  });

  const gather = async (states: readonly StateResult[]): Promise<SourceEntries> => {
    if (step.from.kind !== 'context') {
      const source = states[placement === 'parent' ? 1 : 0]!;
      return layeredEntries(services, await ensureSnapshot(services, source), step, chmod);
    }
    if (paths.length > 0 && contextSum === undefined)
      contextSum = await services.hasher.checksum(
        inputs.contextDir,
        contextSelection(),
        generationOf(inputs),
      );
    return concatSources([
      contextEntries(inputs.contextDir, contextSum),
      remoteEntries(services, remotes, chmod),
    ]);
  };

  /**
   * The files were read twice, for the key and for the copy: if they changed in between, the layer
   * holds other bytes than its key says and must not be recorded (a later build would get them
   * from the cache). A file that changed and changed back in between is not caught.
   */
  const ensureContextUnchanged = async (): Promise<void> => {
    if (contextSum === undefined) return;
    const now = await services.hasher.checksum(inputs.contextDir, contextSelection(), generationOf(inputs));
    if (now.digest === contextSum.digest) return;
    const before = new Map(contextSum.entries.map((e) => [e.path, `${e.type} ${e.size} ${e.hash}`]));
    const changed = now.entries.find((e) => before.get(e.path) !== `${e.type} ${e.size} ${e.hash}`)?.path;
    throw new TsbuildError(
      'CONTEXT',
      `${step.display}: ${changed ?? 'the build context'} changed while the build was reading it`,
      { hint: 'nothing may write into the build context during a build; build again once it is done' },
    );
  };

  return {
    async cacheKey(inputKeys: readonly string[], ctx: VertexContext) {
      keyInputs = inputKeys;
      const parts: string[] = [];
      if (step.from.kind === 'context' && paths.length > 0) {
        contextSum = await services.hasher.checksum(
          inputs.contextDir,
          contextSelection(),
          generationOf(inputs),
        );
        ctx.progress(contextSum.entries.reduce((n, e) => n + e.size, 0));
        parts.push(contextSum.digest);
      }
      if (urls.length > 0) {
        remotes = await Promise.all(
          urls.map((url) =>
            fetchRemote(services, url, {
              ...(step.checksum !== undefined && { checksum: step.checksum }),
              signal: ctx.signal,
              what: step.display,
            }),
          ),
        );
        parts.push(...remotes.map((r) => `${r.url}\n${r.digest}\n${r.filename}`));
      }
      return computeCacheKey(definition, inputKeys, parts.length > 0 ? parts.join('\n') : undefined);
    },
    load: (key) => loadRecord(services, key),
    ...(step.from.kind !== 'context' && {
      async loadByContent(states: readonly StateResult[]) {
        contentKey = computeCacheKey(
          { ...definition, from: 'content' },
          placement === 'parent' ? keyInputs.slice(0, 1) : [],
          (await hashedManifest(await gather(states))).digest,
        );
        const same = await services.cache.get(contentKey);
        const result = same === undefined ? undefined : await loadRecord(services, contentKey);
        return result === undefined ? undefined : { result, key: same?.aliasOf ?? contentKey };
      },
    }),
    explain: (_key, inputKeys) => {
      const manifest = content();
      return explainStep(services, {
        definition,
        inputKeys,
        description: step.display,
        ...(options.slot !== undefined && { slot: options.slot }),
        ...(manifest !== undefined && { content: manifest }),
      });
    },
    async run(states, key, ctx) {
      const parent = placement === 'parent' ? states[0]! : EMPTY_STATE;
      const parentSnapshot = await ensureSnapshot(services, parent);
      const active = await services.snapshotter.prepare(parentSnapshot);
      try {
        const rootfs = stackOf(active.upperDir, active.lowerDirs);
        const owner =
          step.chown === undefined
            ? { uid: 0, gid: 0 }
            : (numeric ?? (await resolveUser(rootfs, step.chown)));
        let source = await gather(states);
        if (step.chown !== undefined) source = ownedBy(source, owner);
        const compressions = await archivesOf(step, source);
        const [archives, plain] = partition(source, new Set(compressions.keys()));
        // Directories the copy creates for its destination belong to the --chown owner, as in BuildKit.
        const target = { upperDir: active.upperDir, lowerDirs: active.lowerDirs, dest: step.dest, owner };
        let bytes = 0;
        if (plain.entries.length > 0)
          bytes += await writeEntries(target, plain.entries, plain.hostPath, plain.mtime);
        for (const archive of archives.entries) {
          const destDir = await ensureDir(active.upperDir, active.lowerDirs, step.dest, target.owner);
          const stream = decompressedStream(archives.hostPath(archive), compressions.get(archive)!);
          bytes += await extractArchive(
            {
              upperDir: active.upperDir,
              lowerDirs: active.lowerDirs,
              destDir,
              ...(step.chown !== undefined && { chown: owner }),
              what: step.display,
            },
            stream,
          );
        }
        if (step.inline.length > 0)
          await writeInline(target, step.inline, owner, chmod?.(0o644, 'file') ?? 0o644);
        await ensureContextUnchanged();
        ctx.progress(bytes);
      } catch (err) {
        await active.abort().catch(() => undefined);
        throw err;
      }
      const result = await finishLayer(services, active, parent, parentSnapshot, {
        key,
        signal: ctx.signal,
        ...(inputs.sourceDateEpoch !== undefined && { sourceDateEpoch: inputs.sourceDateEpoch }),
        definition,
        description: step.display,
        inputKeys: keyInputs,
        ...(options.slot !== undefined && { slot: options.slot }),
        ...(content() !== undefined && { content: content()! }),
      });
      if (contentKey !== undefined) await aliasRecord(services.cache, key, contentKey);
      return result;
    },
  };
}
