/**
 * Build records: the full output of every step of every build, kept under
 * `<root>/builds/<build id>/` (`record.json` + `steps/<N>.log`, N as the
 * plain progress numbers steps). A record is written into a temporary
 * directory and renamed into place when the build ends, so a reader never
 * sees half a record; what a killed process left is swept by prune.
 */
import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildEvent, Builder, BuildOptions, BuildResult } from './build.ts';
import { TsbuildError } from './errors.ts';

export type BuildRecordStatus = 'completed' | 'failed' | 'cancelled';

export interface BuildStepRecord {
  /** `#N` of the plain progress output. */
  readonly n: number;
  readonly name: string;
  readonly status: 'cached' | 'done' | 'error' | 'cancelled' | 'running';
  readonly durationMs: number | undefined;
  readonly explain?: string;
  /** Bytes of output kept in `steps/<n>.log`. */
  readonly logBytes: number;
}

export interface BuildRecord {
  readonly id: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly status: BuildRecordStatus;
  readonly dockerfile: string;
  readonly target?: string;
  readonly imageId?: string;
  readonly tags: readonly string[];
  readonly error?: string;
  readonly steps: readonly BuildStepRecord[];
}

interface StepState {
  n: number;
  name: string;
  status: BuildStepRecord['status'];
  durationMs: number | undefined;
  explain?: string;
  logBytes: number;
  file?: FileHandle;
  writes: Promise<unknown>;
}

export function buildsDir(root: string): string {
  return join(root, 'builds');
}

const TEMP_PREFIX = '.tmp-';
/** A temp record this old belongs to a process that died (builds write to it while they run). */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/** Records one build's events; `finish` writes the record and moves it into place. */
export interface BuildRecorder {
  onEvent(event: BuildEvent): void;
  finish(outcome: { result?: BuildResult; error?: unknown }): Promise<BuildRecord | undefined>;
}

export function createBuildRecorder(root: string): BuildRecorder {
  const temp = join(buildsDir(root), `${TEMP_PREFIX}${randomUUID()}`);
  const steps = new Map<string, StepState>();
  const started = Date.now();
  let buildId: string | undefined;
  let dockerfile = 'Dockerfile';
  let target: string | undefined;
  let ready: Promise<void> | undefined;
  const dirReady = () => {
    ready ??= mkdir(join(temp, 'steps'), { recursive: true }).then(() => undefined);
    return ready;
  };

  const step = (id: string, name: string): StepState => {
    let s = steps.get(id);
    if (s === undefined) {
      s = {
        n: steps.size + 1,
        name,
        status: 'running',
        durationMs: undefined,
        logBytes: 0,
        writes: dirReady(),
      };
      steps.set(id, s);
    }
    return s;
  };
  const end = (s: StepState, status: StepState['status'], durationMs: number) => {
    s.status = status;
    s.durationMs = durationMs;
  };
  const log = (s: StepState, data: string) => {
    s.logBytes += Buffer.byteLength(data);
    // A step log is a copy of output the events already carried: a failed write (disk full) costs
    // that copy, never the build, and must not become an unhandled rejection that ends the process.
    s.writes = s.writes
      .then(async () => {
        s.file ??= await open(join(temp, 'steps', `${s.n}.log`), 'a');
        await s.file.write(data);
      })
      .catch(() => undefined);
  };

  return {
    onEvent(e) {
      switch (e.type) {
        case 'build.started':
          buildId = e.buildId;
          dockerfile = e.dockerfile;
          target = e.target;
          void dirReady().catch(() => {});
          break;
        case 'phase.started':
          step(`phase:${e.phase.id}`, e.phase.name);
          break;
        case 'phase.completed':
          end(step(`phase:${e.phase.id}`, e.phase.name), e.cached === true ? 'cached' : 'done', e.durationMs);
          break;
        case 'phase.failed':
          end(step(`phase:${e.phase.id}`, e.phase.name), 'error', e.durationMs);
          break;
        case 'vertex.started':
          step(e.vertex.id, e.vertex.name).explain = e.explain;
          break;
        case 'vertex.log':
          log(step(e.vertex.id, e.vertex.name), e.data);
          break;
        case 'vertex.cached':
          end(step(e.vertex.id, e.vertex.name), 'cached', e.durationMs);
          break;
        case 'vertex.completed':
          end(step(e.vertex.id, e.vertex.name), 'done', e.durationMs);
          break;
        case 'vertex.failed':
          end(step(e.vertex.id, e.vertex.name), 'error', e.durationMs);
          log(step(e.vertex.id, e.vertex.name), `\nERROR: ${errorMessage(e.error)}\n`);
          break;
        case 'vertex.cancelled':
          end(step(e.vertex.id, e.vertex.name), 'cancelled', e.durationMs);
          break;
        default:
          break;
      }
    },

    async finish({ result, error }) {
      if (buildId === undefined) return undefined;
      await dirReady();
      for (const s of steps.values()) {
        await s.writes;
        if (s.file !== undefined) {
          await s.file.sync();
          await s.file.close();
        }
      }
      const cancelled = (error as { code?: unknown } | undefined)?.code === 'CANCELLED';
      const record: BuildRecord = {
        id: buildId,
        startedAt: new Date(started).toISOString(),
        durationMs: Date.now() - started,
        status: result !== undefined ? 'completed' : cancelled ? 'cancelled' : 'failed',
        dockerfile,
        ...(target !== undefined && { target }),
        ...(result !== undefined && { imageId: result.imageId }),
        tags: result?.tags ?? [],
        ...(error !== undefined && { error: errorMessage(error) }),
        steps: [...steps.values()].map((s) => ({
          n: s.n,
          name: s.name,
          status: s.status,
          durationMs: s.durationMs,
          ...(s.explain !== undefined && { explain: s.explain }),
          logBytes: s.logBytes,
        })),
      };
      const file = await open(join(temp, 'record.json'), 'w');
      try {
        await file.writeFile(`${JSON.stringify(record, null, 2)}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, join(buildsDir(root), buildId));
      return record;
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A Builder whose every build is recorded under its store. */
export function withBuildRecords(builder: Builder): Builder {
  return {
    root: builder.root,
    close: () => builder.close(),
    async build(options: BuildOptions) {
      const recorder = createBuildRecorder(builder.root);
      const onEvent = (e: BuildEvent) => {
        recorder.onEvent(e);
        options.onEvent?.(e);
      };
      try {
        const result = await builder.build({ ...options, onEvent });
        await recorder.finish({ result });
        return result;
      } catch (error) {
        await recorder.finish({ error }).catch(() => undefined);
        throw error;
      }
    },
  };
}

/** Every finished build record, newest first. */
export async function listBuildRecords(root: string): Promise<BuildRecord[]> {
  const names = await readdir(buildsDir(root)).catch(() => [] as string[]);
  const records = await Promise.all(
    names
      .filter((n) => !n.startsWith(TEMP_PREFIX))
      .map((n) =>
        readFile(join(buildsDir(root), n, 'record.json'), 'utf8')
          .then((t) => JSON.parse(t) as BuildRecord)
          .catch(() => undefined),
      ),
  );
  return records
    .filter((r): r is BuildRecord => r !== undefined)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** A build by id, unique id prefix, or `latest`. */
export async function readBuildRecord(root: string, idOrPrefix: string): Promise<BuildRecord> {
  const records = await listBuildRecords(root);
  if (idOrPrefix === 'latest' && records[0] !== undefined) return records[0];
  const matches = records.filter((r) => r.id.startsWith(idOrPrefix));
  if (matches.length === 1) return matches[0]!;
  throw new TsbuildError(
    'USAGE',
    matches.length === 0
      ? `no build record ${idOrPrefix} in ${buildsDir(root)}`
      : `build id prefix ${idOrPrefix} is ambiguous (${matches.length} builds)`,
    { hint: 'list builds with `tsbuild logs`' },
  );
}

/** The full output of one step, by its number or a unique part of its name. */
export async function readStepLog(
  root: string,
  record: BuildRecord,
  step: string,
): Promise<{ step: BuildStepRecord; log: string }> {
  const byNumber = /^#?\d+$/.test(step)
    ? record.steps.find((s) => s.n === Number(step.replace('#', '')))
    : undefined;
  const byName = record.steps.filter((s) => s.name.includes(step));
  const found = byNumber ?? (byName.length === 1 ? byName[0] : undefined);
  if (found === undefined)
    throw new TsbuildError('USAGE', `build ${record.id} has no single step matching "${step}"`, {
      hint: `list its steps with \`tsbuild logs ${record.id.slice(0, 8)}\``,
    });
  const log =
    found.logBytes === 0
      ? ''
      : await readFile(join(buildsDir(root), record.id, 'steps', `${found.n}.log`), 'utf8');
  return { step: found, log };
}

export interface PruneBuildRecordsOptions {
  /** Remove records of builds that started before this many ms ago (default: all). */
  readonly olderThanMs?: number;
}

/** Removes build records (and temp dirs left by killed processes); returns how many. */
export async function pruneBuildRecords(
  root: string,
  options: PruneBuildRecordsOptions = {},
): Promise<number> {
  const dir = buildsDir(root);
  const now = Date.now();
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    const cutoff = name.startsWith(TEMP_PREFIX) ? now - STALE_TEMP_MS : now - (options.olderThanMs ?? 0);
    if (info === undefined || info.mtimeMs > cutoff) continue;
    await rm(path, { recursive: true, force: true });
    if (!name.startsWith(TEMP_PREFIX)) removed++;
  }
  return removed;
}
