/**
 * Instructions that only change the image config: ENV, LABEL, EXPOSE, USER,
 * CMD, ENTRYPOINT, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD,
 * MAINTAINER and ARG. Each leaves a history entry and makes no vertex.
 */
import { TsbuildError } from '../../errors.ts';
import type {
  ArgInstruction,
  CommandForm,
  EnvInstruction,
  ExposeInstruction,
  HealthcheckInstruction,
  Instruction,
  LabelInstruction,
  Range,
} from '../../parser/ast.ts';
import { declareArg } from '../args.ts';
import { expandIn, expandListIn } from '../expand.ts';
import { currentShell, type StageState } from '../state.ts';
import type { HealthcheckConfig } from '../types.ts';
import { goDuration, goList, oneLine } from './format.ts';

function meta(state: StageState, ins: Instruction, createdBy: string): void {
  state.steps.push({ kind: 'meta', display: oneLine(ins.source), range: ins.range, createdBy });
}

function planError(state: StageState, range: Range, message: string, hint?: string): TsbuildError {
  return new TsbuildError('DF_PLAN', message, {
    location: { file: state.file, line: range.start.line, column: range.start.column },
    ...(hint !== undefined && { hint }),
  });
}

/** Shell form runs through the current SHELL; exec form is taken as is. */
export function commandArgs(state: StageState, command: CommandForm): string[] {
  return command.form === 'exec' ? [...command.args] : [...currentShell(state), command.command];
}

export function lowerEnv(state: StageState, ins: EnvInstruction): void {
  // Every value sees the environment from before this instruction, as in Docker.
  const pairs = ins.pairs.map((p) => [
    expandIn(state, p.key, ins.range),
    expandIn(state, p.value, ins.range),
  ]);
  for (const [key, value] of pairs) {
    state.config.env.set(key!, value!);
    state.buildEnv.set(key!, value!);
  }
  meta(state, ins, `ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

export function lowerLabel(state: StageState, ins: LabelInstruction): void {
  const pairs = ins.pairs.map((p) => [
    expandIn(state, p.key, ins.range),
    expandIn(state, p.value, ins.range),
  ]);
  for (const [key, value] of pairs) state.config.labels.set(key!, value!);
  meta(state, ins, `LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

const PORT_SPEC = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp|sctp))?$/i;

export function lowerExpose(state: StageState, ins: ExposeInstruction): void {
  const added: string[] = [];
  for (const word of ins.ports.flatMap((p) => expandListIn(state, p, ins.range))) {
    const m = PORT_SPEC.exec(word);
    const first = Number(m?.[1]);
    const last = m?.[2] === undefined ? first : Number(m[2]);
    if (m === null || first < 1 || last > 65535 || last < first) {
      throw planError(
        state,
        ins.range,
        `EXPOSE: invalid port "${word}"`,
        'use PORT, PORT/PROTO or FIRST-LAST/PROTO, e.g. 8080/tcp',
      );
    }
    const proto = (m[3] ?? 'tcp').toLowerCase();
    for (let port = first; port <= last; port++) added.push(`${port}/${proto}`);
  }
  for (const p of added) state.config.exposedPorts.add(p);
  meta(
    state,
    ins,
    `EXPOSE map[${[...new Set(added)]
      .sort()
      .map((p) => `${p}:{}`)
      .join(' ')}]`,
  );
}

export function lowerUser(state: StageState, ins: Extract<Instruction, { kind: 'USER' }>): void {
  const user = expandIn(state, ins.user, ins.range);
  if (user === '') throw planError(state, ins.range, 'USER needs a user name or uid');
  state.config.user = user;
  meta(state, ins, `USER ${user}`);
}

export function lowerCmd(state: StageState, ins: Extract<Instruction, { kind: 'CMD' }>): void {
  const args = commandArgs(state, ins.command);
  state.config.cmd = args;
  // BuildKit marks every CMD as already escaped (a Windows flag it keeps for compatibility).
  state.config.argsEscaped = true;
  state.cmdSetHere = true;
  meta(state, ins, `CMD ${goList(args)}`);
}

export function lowerEntrypoint(state: StageState, ins: Extract<Instruction, { kind: 'ENTRYPOINT' }>): void {
  const args = commandArgs(state, ins.command);
  state.config.entrypoint = args;
  // Docker resets a CMD inherited from the base image when ENTRYPOINT is set.
  if (!state.cmdSetHere) delete state.config.cmd;
  meta(state, ins, `ENTRYPOINT ${goList(args)}`);
}

export function lowerVolume(state: StageState, ins: Extract<Instruction, { kind: 'VOLUME' }>): void {
  const paths = ins.json
    ? ins.paths.map((p) => expandIn(state, p, ins.range))
    : ins.paths.flatMap((p) => expandListIn(state, p, ins.range));
  if (paths.length === 0 || paths.some((p) => p.trim() === '')) {
    throw planError(state, ins.range, 'VOLUME needs at least one non-empty path');
  }
  for (const p of paths) state.config.volumes.add(p);
  meta(state, ins, `VOLUME ${goList(paths, false)}`);
}

const SIGNAL = /^(SIG)?[A-Z0-9]+([+-]\d+)?$|^\d+$/;

export function lowerStopsignal(state: StageState, ins: Extract<Instruction, { kind: 'STOPSIGNAL' }>): void {
  const signal = expandIn(state, ins.signal, ins.range);
  if (!SIGNAL.test(signal)) {
    throw planError(
      state,
      ins.range,
      `STOPSIGNAL: invalid signal "${signal}"`,
      'use a name such as SIGTERM or a number',
    );
  }
  state.config.stopSignal = signal;
  meta(state, ins, `STOPSIGNAL ${signal}`);
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go duration syntax (`30s`, `1m30s`, `500ms`) to nanoseconds. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    end = re.lastIndex;
  }
  return end === text.length && end > 0 ? Math.round(total) : undefined;
}

export function lowerHealthcheck(state: StageState, ins: HealthcheckInstruction): void {
  const check = ins.check;
  if (check.type === 'none') {
    state.config.healthcheck = { test: ['NONE'] };
    meta(state, ins, healthcheckHistory(state.config.healthcheck));
    return;
  }
  const test =
    check.command.form === 'exec' ? ['CMD', ...check.command.args] : ['CMD-SHELL', check.command.command];
  const hc: { -readonly [K in keyof HealthcheckConfig]: HealthcheckConfig[K] } = { test };
  const durations = [
    ['interval', check.interval],
    ['timeout', check.timeout],
    ['startPeriod', check.startPeriod],
    ['startInterval', check.startInterval],
  ] as const;
  for (const [key, text] of durations) {
    if (text === undefined) continue;
    const ns = parseDuration(text);
    if (ns === undefined)
      throw planError(state, ins.range, `HEALTHCHECK: invalid duration "${text}"`, 'use e.g. 30s or 1m30s');
    hc[key] = ns;
  }
  if (check.retries !== undefined) {
    const retries = Number(check.retries);
    if (!Number.isInteger(retries) || retries < 0) {
      throw planError(
        state,
        ins.range,
        `HEALTHCHECK: --retries must be a non-negative integer, got "${check.retries}"`,
      );
    }
    hc.retries = retries;
  }
  state.config.healthcheck = hc;
  meta(state, ins, healthcheckHistory(hc));
}

/** BuildKit's history text for HEALTHCHECK: Go's `%+v` of the healthcheck config. */
function healthcheckHistory(hc: HealthcheckConfig): string {
  const d = (ns: number | undefined) => goDuration(ns ?? 0);
  return (
    `HEALTHCHECK {Test:${goList(hc.test, false)} Interval:${d(hc.interval)} Timeout:${d(hc.timeout)} ` +
    `StartPeriod:${d(hc.startPeriod)} StartInterval:${d(hc.startInterval)} Retries:${hc.retries ?? 0}}`
  );
}

export function lowerShell(state: StageState, ins: Extract<Instruction, { kind: 'SHELL' }>): void {
  if (ins.args.length === 0)
    throw planError(state, ins.range, 'SHELL needs at least one argument, e.g. ["/bin/sh", "-c"]');
  state.config.shell = [...ins.args];
  meta(state, ins, `SHELL ${goList(ins.args, false)}`);
}

/** ONBUILD only records the trigger: BuildKit writes no history entry for it. */
export function lowerOnbuild(state: StageState, ins: Extract<Instruction, { kind: 'ONBUILD' }>): void {
  state.config.onBuild.push(oneLine(ins.instruction.source));
}

export function lowerMaintainer(state: StageState, ins: Extract<Instruction, { kind: 'MAINTAINER' }>): void {
  state.config.author = expandIn(state, ins.name, ins.range);
  meta(state, ins, `MAINTAINER ${state.config.author}`);
}

export function lowerArg(state: StageState, ins: ArgInstruction): void {
  const shown: string[] = [];
  for (const arg of ins.args) {
    const def = arg.defaultValue === undefined ? undefined : expandIn(state, arg.defaultValue, ins.range);
    const value = declareArg(state.usage, arg.name, def, state.metaArgs);
    state.args.set(arg.name, value);
    // A later ARG with a value wins over an earlier ENV for the rest of the build, not in the config.
    if (value !== undefined) state.buildEnv.set(arg.name, value);
    shown.push(value === undefined ? arg.name : `${arg.name}=${value}`);
  }
  meta(state, ins, `ARG ${shown.join(' ')}`);
}
