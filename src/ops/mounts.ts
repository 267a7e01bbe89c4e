/**
 * RUN --mount for the exec op: what of a mount goes into the cache key (its
 * definition, never a secret's value or a cache dir's contents), and turning
 * the planner's mounts into the executor's mount requests.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { TsbuildError } from '../errors.ts';
import type { MountRequest } from '../executor/index.ts';
import type { ResolvedMount, RunStep, SourceRef } from '../plan/types.ts';
import { ensureSnapshot } from './rootfs.ts';
import type { BuildInputs, OpServices } from './services.ts';
import type { StateResult } from './types.ts';

function fromName(from: SourceRef | undefined): string {
  if (from === undefined || from.kind === 'context') return 'context';
  return from.kind === 'image' ? from.image.digest : `stage:${from.stage}`;
}

export function mountDefinitions(mounts: readonly ResolvedMount[]): unknown[] {
  return mounts.map((m) => ({
    type: m.type,
    target: m.target,
    source: m.source ?? '',
    from: fromName(m.from),
    readonly: m.readonly,
    id: m.id ?? '',
    sharing: m.sharing ?? '',
    mode: m.mode ?? 0,
    uid: m.uid ?? 0,
    gid: m.gid ?? 0,
    size: m.sizeBytes ?? 0,
    env: m.env ?? '',
    required: m.required,
  }));
}

export interface PreparedMounts {
  readonly requests: readonly MountRequest[];
  release(): Promise<void>;
}

async function layersOf(services: OpServices, state: StateResult): Promise<string[]> {
  const id = await ensureSnapshot(services, state);
  return id === undefined ? [] : [...(await services.snapshotter.lowerDirs(id))];
}

/**
 * `sources` are the results of the step's extra inputs, one per mount with a
 * `from=` stage or image, in mount order.
 */
export async function prepareMounts(
  services: OpServices,
  inputs: BuildInputs,
  step: RunStep,
  sources: readonly StateResult[],
): Promise<PreparedMounts> {
  const requests: MountRequest[] = [];
  const cleanups: string[] = [];
  let next = 0;
  const release = async () => {
    for (const dir of cleanups) await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const m of step.mounts) {
      const fromLayers =
        m.from === undefined || m.from.kind === 'context'
          ? [inputs.contextDir]
          : await layersOf(services, sources[next++]!);
      switch (m.type) {
        case 'bind':
          requests.push({
            type: 'bind',
            target: m.target,
            from: fromLayers,
            ...(m.source !== undefined && { source: m.source }),
            readwrite: !m.readonly,
          });
          break;
        case 'cache':
          requests.push({
            type: 'cache',
            target: m.target,
            ...(m.id !== undefined && { id: m.id }),
            ...(m.sharing !== undefined && { sharing: m.sharing }),
            ...(m.from !== undefined && { from: fromLayers }),
            ...(m.source !== undefined && { source: m.source }),
            ...(m.mode !== undefined && { mode: m.mode }),
            ...(m.uid !== undefined && { uid: m.uid }),
            ...(m.gid !== undefined && { gid: m.gid }),
            readonly: m.readonly,
          });
          break;
        case 'tmpfs':
          requests.push({
            type: 'tmpfs',
            target: m.target,
            ...(m.sizeBytes !== undefined && { sizeBytes: m.sizeBytes }),
          });
          break;
        case 'secret': {
          const id = m.id ?? posix.basename(m.target);
          const secret = inputs.secrets.get(id);
          requests.push({
            type: 'secret',
            id,
            value: secret === undefined ? undefined : await secret.read(),
            ...(m.target !== '' && { target: m.target }),
            ...(m.env !== undefined && { env: m.env }),
            required: m.required,
            ...(m.mode !== undefined && { mode: m.mode }),
            ...(m.uid !== undefined && { uid: m.uid }),
            ...(m.gid !== undefined && { gid: m.gid }),
          });
          break;
        }
        case 'ssh':
          requests.push({
            type: 'ssh',
            ...(m.id !== undefined && { id: m.id }),
            socket: inputs.sshSockets.get(m.id ?? 'default'),
            target: m.target,
            required: m.required,
            ...(m.mode !== undefined && { mode: m.mode }),
            ...(m.uid !== undefined && { uid: m.uid }),
            ...(m.gid !== undefined && { gid: m.gid }),
          });
          break;
      }
    }
    if (step.files.length > 0) requests.push(await scriptMount(services, step, cleanups));
  } catch (err) {
    await release();
    throw err;
  }
  return { requests, release };
}

/** Heredoc scripts with a shebang: files under /dev/pipes, read-only, never in the layer. */
async function scriptMount(services: OpServices, step: RunStep, cleanups: string[]): Promise<MountRequest> {
  const dir = join(services.root, 'tmp', `pipes-${randomUUID()}`);
  cleanups.push(dir);
  await mkdir(dir, { recursive: true });
  for (const f of step.files) {
    if (posix.dirname(f.path) !== '/dev/pipes') {
      throw new TsbuildError('INTERNAL', `heredoc file ${f.path} is not under /dev/pipes`);
    }
    const host = join(dir, posix.basename(f.path));
    await writeFile(host, f.content);
    await chmod(host, f.mode);
  }
  return { type: 'bind', target: '/dev/pipes', from: [dir] };
}
