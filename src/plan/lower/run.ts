/**
 * RUN: the command line (shell or exec form, heredocs), the environment the
 * command sees (the stage's build environment + proxy args), and its mounts.
 */
import { TsbuildError } from '../../errors.ts';
import type { MountSpec, Range, RunInstruction } from '../../parser/ast.ts';
import { PROXY_ARGS, proxyEnv } from '../args.ts';
import { expandIn } from '../expand.ts';
import { currentShell, currentWorkdir, declaredArgValues, type StageState } from '../state.ts';
import type { ResolvedMount, RunStep } from '../types.ts';
import { commandArgs } from './config.ts';
import { oneLine } from './format.ts';

const SIZE = /^(\d+)([kmgt]?)b?$/i;
const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

function mountError(state: StageState, range: Range, message: string): TsbuildError {
  return new TsbuildError('DF_PLAN', `RUN --mount: ${message}`, {
    location: { file: state.file, line: range.start.line, column: range.start.column },
  });
}

function parseIntField(state: StageState, range: Range, name: string, text: string, radix: number): number {
  const value = Number.parseInt(text, radix);
  if (!/^\d+$/.test(text) || Number.isNaN(value))
    throw mountError(state, range, `${name}=${text} is not a number`);
  return value;
}

function resolveMount(state: StageState, spec: MountSpec, index: number, range: Range): ResolvedMount {
  const x = (v: string | undefined) => (v === undefined ? undefined : expandIn(state, v, range));
  const id = x(spec.id);
  const source = x(spec.source);
  const fromName = x(spec.from);
  let target = x(spec.target);
  if (spec.type === 'secret' && target === undefined) {
    if (id === undefined && spec.env === undefined)
      throw mountError(state, range, 'type=secret needs id= or target=');
    if (spec.env === undefined) target = `/run/secrets/${id}`;
  }
  if (spec.type === 'ssh' && target === undefined) target = `/run/buildkit/ssh_agent.${index}`;
  if (target === undefined && spec.type !== 'secret') {
    throw mountError(state, range, `type=${spec.type} needs target=`);
  }
  const resolvedTarget =
    target === undefined ? '' : target.startsWith('/') ? target : `${currentWorkdir(state)}/${target}`;
  const modeText = x(spec.mode);
  const uidText = x(spec.uid);
  const gidText = x(spec.gid);
  const sizeText = x(spec.size);
  let sizeBytes: number | undefined;
  if (sizeText !== undefined) {
    const m = SIZE.exec(sizeText);
    if (m === null) throw mountError(state, range, `size=${sizeText} is not a size (e.g. 64m)`);
    sizeBytes = Number(m[1]) * SIZE_UNITS[m[2]!.toLowerCase()]!;
  }
  // Cache mounts are keyed by target when no id is given; ssh uses the default agent.
  const mountId =
    id ?? (spec.type === 'cache' ? resolvedTarget : spec.type === 'ssh' ? 'default' : undefined);
  const defaultMode = spec.type === 'secret' ? 0o400 : spec.type === 'ssh' ? 0o600 : 0o755;
  return {
    type: spec.type,
    target: resolvedTarget,
    ...(source !== undefined && { source }),
    ...(fromName !== undefined && { from: state.resolveFrom(fromName, range) }),
    // bind mounts are read-only unless rw; cache and tmpfs are writable unless ro.
    readonly: spec.readonly ?? spec.type === 'bind',
    ...(mountId !== undefined && { id: mountId }),
    ...(spec.type === 'cache' && { sharing: spec.sharing ?? 'shared' }),
    mode: modeText === undefined ? defaultMode : parseIntField(state, range, 'mode', modeText, 8),
    ...(uidText !== undefined && { uid: parseIntField(state, range, 'uid', uidText, 10) }),
    ...(gidText !== undefined && { gid: parseIntField(state, range, 'gid', gidText, 10) }),
    ...(sizeBytes !== undefined && { sizeBytes }),
    ...(spec.env !== undefined && { env: spec.env }),
    required: spec.required ?? false,
  };
}

const HEREDOC_ONLY = /^<<-?\s*(["']?)([A-Za-z0-9_.-]+)\1\s*$/;

function heredocCommand(state: StageState, ins: RunInstruction): Pick<RunStep, 'args' | 'files'> {
  if (ins.command.form !== 'shell' || ins.heredocs.length === 0) {
    return { args: commandArgs(state, ins.command), files: [] };
  }
  const only = HEREDOC_ONLY.exec(ins.command.command.trim());
  const first = ins.heredocs[0]!;
  if (only !== null && ins.heredocs.length === 1) {
    // A lone heredoc is the script itself: with a shebang it is run as a file.
    if (first.content.startsWith('#!')) {
      const path = `/dev/pipes/${first.name}`;
      return { args: [path], files: [{ path, content: first.content, mode: 0o755 }] };
    }
    return { args: [...currentShell(state), first.content], files: [] };
  }
  // Heredocs used by a command: the shell reads them from the script text itself.
  const script = [ins.command.command, ...ins.heredocs.map((h) => `${h.content}${h.name}`)].join('\n');
  return { args: [...currentShell(state), script], files: [] };
}

export function lowerRun(state: StageState, ins: RunInstruction): void {
  const env = [...state.buildEnv, ...proxyEnv(state.usage, state.buildEnv)].map(([k, v]) => `${k}=${v}`);
  const mounts = ins.mounts.map((m, i) => resolveMount(state, m, i, ins.range));
  const { args: argv, files } = heredocCommand(state, ins);
  const shownArgs = declaredArgValues(state).filter(([k]) => !PROXY_ARGS.has(k));
  const argPrefix =
    shownArgs.length === 0 ? '' : `|${shownArgs.length} ${shownArgs.map(([k, v]) => `${k}=${v}`).join(' ')} `;
  const step: RunStep = {
    kind: 'run',
    display: oneLine(ins.source),
    range: ins.range,
    createdBy: `RUN ${argPrefix}${argv.join(' ')} # buildkit`,
    args: argv,
    env,
    ...(state.config.user !== undefined && { user: state.config.user }),
    workdir: currentWorkdir(state),
    network: ins.network ?? 'default',
    security: ins.security ?? 'sandbox',
    mounts,
    files,
  };
  state.steps.push(step);
}
