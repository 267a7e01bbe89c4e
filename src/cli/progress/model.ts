/**
 * The live view's state: build events folded into one row per step. Pure
 * and clock-free (callers pass `now`), so the view and its tests share it.
 */
import type { BuildEvent } from '../../index.ts';

export type StepState = 'waiting' | 'running' | 'cached' | 'done' | 'error' | 'cancelled';

export interface StepView {
  /** `#N` as the plain output numbers it (order of first sight); undefined while only queued. */
  readonly n: number | undefined;
  readonly id: string;
  readonly name: string;
  /** Vertices are cache-keyed build steps; phases are work around them (load, export). */
  readonly kind: 'vertex' | 'phase';
  readonly state: StepState;
  /** When it started running (ms, caller's clock). */
  readonly startedAt: number | undefined;
  readonly durationMs: number | undefined;
  /** Last complete output lines (at most TAIL_LINES), plus the unfinished one. */
  readonly tail: readonly string[];
  /** The unfinished last line shown (of the stream that wrote last). */
  readonly partial: string;
  /** Each stream's unfinished last line: stdout and stderr interleave only at line ends. */
  readonly partials: { readonly stdout: string; readonly stderr: string };
  readonly bytes: { readonly current: number; readonly total: number | undefined } | undefined;
  readonly explain: string | undefined;
  readonly error: string | undefined;
}

export interface ProgressState {
  readonly buildId: string | undefined;
  readonly startedAt: number;
  readonly steps: readonly StepView[];
  /** Numbers handed out so far. */
  readonly numbered: number;
  readonly warnings: readonly string[];
  readonly outcome:
    | { readonly kind: 'running' }
    | { readonly kind: 'completed'; readonly durationMs: number; readonly imageId: string }
    | { readonly kind: 'failed'; readonly durationMs: number; readonly error: string };
}

export const TAIL_LINES = 6;

export function initialState(now: number): ProgressState {
  return {
    buildId: undefined,
    startedAt: now,
    steps: [],
    numbered: 0,
    warnings: [],
    outcome: { kind: 'running' },
  };
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

type Subject = { readonly kind: 'vertex' | 'phase'; readonly id: string; readonly name: string };

function vertexOf(info: { readonly id: string; readonly name: string }): Subject {
  return { kind: 'vertex', id: info.id, name: info.name };
}

function phaseOf(info: { readonly id: string; readonly name: string }): Subject {
  return { kind: 'phase', id: `phase:${info.id}`, name: info.name };
}

function upsert(
  state: ProgressState,
  { kind, id, name }: Subject,
  change: (step: StepView) => Partial<StepView>,
  numbered = true,
): ProgressState {
  const index = state.steps.findIndex((s) => s.id === id);
  const existing: StepView =
    index >= 0
      ? state.steps[index]!
      : {
          n: undefined,
          id,
          name,
          kind,
          state: 'waiting',
          startedAt: undefined,
          durationMs: undefined,
          tail: [],
          partial: '',
          partials: { stdout: '', stderr: '' },
          bytes: undefined,
          explain: undefined,
          error: undefined,
        };
  const assign = numbered && existing.n === undefined;
  const next = { ...existing, ...change(existing), ...(assign && { n: state.numbered + 1 }) };
  const steps = [...state.steps];
  if (index >= 0) steps[index] = next;
  else steps.push(next);
  return { ...state, steps, numbered: assign ? state.numbered + 1 : state.numbered };
}

function appendLog(step: StepView, stream: 'stdout' | 'stderr', data: string): Partial<StepView> {
  const lines = (step.partials[stream] + data).split('\n');
  const rest = lines.pop() ?? '';
  const partials = { ...step.partials, [stream]: rest };
  const tail = [...step.tail, ...lines.map((l) => l.replace(/\r$/, ''))].slice(-TAIL_LINES);
  return { tail, partials, partial: rest || partials.stdout || partials.stderr };
}

export function reduce(state: ProgressState, event: BuildEvent, now: number): ProgressState {
  switch (event.type) {
    case 'build.started':
      return { ...state, buildId: event.buildId };
    case 'vertex.queued':
      return upsert(state, vertexOf(event.vertex), () => ({}), false);
    case 'phase.started':
      return upsert(state, phaseOf(event.phase), () => ({ state: 'running', startedAt: now }));
    case 'vertex.started':
      return upsert(state, vertexOf(event.vertex), () => ({
        state: 'running',
        startedAt: now,
        explain: event.explain,
      }));
    case 'vertex.log':
      return upsert(state, vertexOf(event.vertex), (s) => appendLog(s, event.stream, event.data));
    case 'vertex.progress':
      return upsert(state, vertexOf(event.vertex), () => ({
        bytes: { current: event.current, total: event.total },
      }));
    case 'phase.progress':
      return upsert(state, phaseOf(event.phase), () => ({
        bytes: { current: event.current, total: event.total },
      }));
    case 'vertex.cached':
      return upsert(state, vertexOf(event.vertex), () => ({
        state: 'cached',
        durationMs: event.durationMs,
      }));
    case 'phase.completed':
      return upsert(state, phaseOf(event.phase), () => ({
        state: event.cached === true ? 'cached' : 'done',
        durationMs: event.durationMs,
      }));
    case 'vertex.completed':
      return upsert(state, vertexOf(event.vertex), () => ({
        state: 'done',
        durationMs: event.durationMs,
      }));
    case 'vertex.failed':
      return upsert(state, vertexOf(event.vertex), () => ({
        state: 'error',
        durationMs: event.durationMs,
        error: errorText(event.error),
      }));
    case 'phase.failed':
      return upsert(state, phaseOf(event.phase), () => ({
        state: 'error',
        durationMs: event.durationMs,
        error: errorText(event.error),
      }));
    case 'vertex.cancelled':
      return upsert(state, vertexOf(event.vertex), () => ({
        state: 'cancelled',
        durationMs: event.durationMs,
      }));
    case 'build.warning': {
      const d = event.warning.diagnostic;
      const text = `${d.code}: ${d.message} (${event.warning.file}:${d.range.start.line})`;
      return { ...state, warnings: [...state.warnings, text] };
    }
    case 'build.completed':
      return {
        ...state,
        outcome: { kind: 'completed', durationMs: event.durationMs, imageId: event.imageId },
      };
    case 'build.failed':
      return {
        ...state,
        outcome: { kind: 'failed', durationMs: event.durationMs, error: errorText(event.error) },
      };
    default:
      return state;
  }
}

export interface CacheSummary {
  readonly cached: number;
  readonly ran: number;
  /** cached / (cached + ran), 0 when nothing was counted. */
  readonly hitRatio: number;
}

/** Build steps only: `[internal]` phases and exports are not cache lookups. */
export function cacheSummary(steps: readonly StepView[]): CacheSummary {
  const counted = steps.filter((s) => s.kind === 'vertex' && !s.name.startsWith('[internal]'));
  const cached = counted.filter((s) => s.state === 'cached').length;
  const ran = counted.filter((s) => s.state === 'done' || s.state === 'error').length;
  return { cached, ran, hitRatio: cached + ran === 0 ? 0 : cached / (cached + ran) };
}
