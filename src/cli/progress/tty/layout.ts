/**
 * The live view as lines of text, BuildKit's style: a header, one line per
 * step with its state and time, the last output lines of running steps,
 * and a summary at the end. Pure: the ink component only paints these
 * lines, and tests check them without a terminal.
 */
import { formatSize } from '../../table.ts';
import { type CacheSummary, cacheSummary, type ProgressState, type StepView } from '../model.ts';

export type Tone = 'header' | 'normal' | 'running' | 'done' | 'waiting' | 'error' | 'log' | 'summary';

export interface Line {
  readonly text: string;
  readonly tone: Tone;
}

export interface LayoutOptions {
  readonly now: number;
  readonly columns: number;
  /** Terminal height; the live frame never grows past it (the final frame may). */
  readonly rows: number;
  readonly spinner: string;
  /** The last frame: every step, no height limit, plus the summary. */
  readonly final: boolean;
  /** Tags to show in the summary (the build result has them, events do not). */
  readonly tags?: readonly string[];
  /** A line from the CLI under the header, e.g. that Ctrl-C is cancelling the build. */
  readonly notice?: string;
  /** `--explain`: the final frame says why each step that ran missed the cache. */
  readonly explain?: boolean;
}

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** `text` cut to `width` columns with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** Left text and right-aligned text within `width`, the left side truncated first. */
function columns2(left: string, right: string, width: number): string {
  if (right === '') return truncate(left, width);
  const room = width - right.length - 1;
  if (room < 8) return truncate(`${left} ${right}`, width);
  const l = truncate(left, room);
  return `${l}${' '.repeat(width - [...l].length - right.length)}${right}`;
}

function stateWord(step: StepView): string {
  switch (step.state) {
    case 'cached':
      return 'CACHED ';
    case 'error':
      return 'ERROR ';
    case 'cancelled':
      return 'CANCELED ';
    default:
      return '';
  }
}

function bytesText(step: StepView): string {
  if (step.bytes === undefined || step.bytes.current === 0) return '';
  const { current, total } = step.bytes;
  return total === undefined ? formatSize(current) : `${formatSize(current)} / ${formatSize(total)}`;
}

function timeText(step: StepView, now: number): string {
  if (step.state === 'waiting') return '';
  if (step.state === 'running') return step.startedAt === undefined ? '' : seconds(now - step.startedAt);
  return seconds(step.durationMs ?? 0);
}

const TONE: Readonly<Record<StepView['state'], Tone>> = {
  waiting: 'waiting',
  running: 'running',
  cached: 'done',
  done: 'done',
  error: 'error',
  cancelled: 'error',
};

function stepLine(step: StepView, o: LayoutOptions): Line {
  const mark = step.state === 'running' ? ` ${o.spinner}` : step.state === 'waiting' ? ' ..' : ' =>';
  const right = [bytesText(step), timeText(step, o.now)].filter((t) => t !== '').join('  ');
  return {
    text: columns2(`${mark} ${stateWord(step)}${step.name}`, right, o.columns),
    tone: TONE[step.state],
  };
}

function tailLines(step: StepView, o: LayoutOptions, max: number): Line[] {
  const lines = step.partial === '' ? step.tail : [...step.tail, step.partial];
  return lines.slice(-max).map((l) => ({ text: truncate(` => => # ${l}`, o.columns), tone: 'log' as const }));
}

function header(state: ProgressState, o: LayoutOptions): Line {
  const finished = state.steps.filter((s) => s.state !== 'waiting' && s.state !== 'running').length;
  const elapsed = state.outcome.kind === 'running' ? o.now - state.startedAt : state.outcome.durationMs;
  const end =
    state.outcome.kind === 'completed' ? ' FINISHED' : state.outcome.kind === 'failed' ? ' FAILED' : '';
  return {
    text: truncate(`[+] Building ${seconds(elapsed)} (${finished}/${state.steps.length})${end}`, o.columns),
    tone: 'header',
  };
}

export function summaryText(state: ProgressState, summary: CacheSummary, tags: readonly string[]): string[] {
  const ratio = `${Math.round(summary.hitRatio * 100)}% cache hits`;
  const counts = `${summary.ran} step${summary.ran === 1 ? '' : 's'} run, ${summary.cached} cached (${ratio})`;
  if (state.outcome.kind === 'completed')
    return [
      `Built in ${seconds(state.outcome.durationMs)}: ${counts}`,
      `image ${state.outcome.imageId}${tags.length > 0 ? `  ${tags.join(', ')}` : ''}`,
    ];
  if (state.outcome.kind === 'failed')
    return [`Failed after ${seconds(state.outcome.durationMs)}: ${counts}`];
  return [];
}

/**
 * Steps in the order they started (`#N`), then the waiting ones. The solver queues a step before
 * the steps it depends on, so waiting steps are shown in reverse queue order: the order they run.
 */
function ordered(steps: readonly StepView[]): StepView[] {
  const started = steps.filter((s) => s.n !== undefined).sort((a, b) => a.n! - b.n!);
  const waiting = steps.filter((s) => s.n === undefined).reverse();
  return [...started, ...waiting];
}

function finalFrame(state: ProgressState, o: LayoutOptions): Line[] {
  const lines: Line[] = [header(state, o)];
  for (const step of ordered(state.steps)) {
    lines.push(stepLine(step, o));
    if (o.explain === true && step.explain !== undefined && step.state !== 'cached')
      lines.push({ text: truncate(` => => cache miss: ${step.explain}`, o.columns), tone: 'log' });
    if (step.state === 'error') lines.push(...tailLines(step, o, 20));
  }
  for (const w of state.warnings) lines.push({ text: truncate(` ! ${w}`, o.columns), tone: 'waiting' });
  for (const text of summaryText(state, cacheSummary(state.steps), o.tags ?? []))
    lines.push({ text: truncate(text, o.columns), tone: 'summary' });
  return lines;
}

/** Running steps with their output first, then errors, waiting and the most recent finished steps. */
function liveFrame(state: ProgressState, o: LayoutOptions): Line[] {
  const budget = Math.max(1, o.rows - 2);
  const running = state.steps.filter((s) => s.state === 'running');
  let tail = 3;
  const cost = () => running.reduce((n, s) => n + 1 + Math.min(tail, s.tail.length + (s.partial ? 1 : 0)), 0);
  while (tail > 0 && cost() > budget) tail--;
  let room = budget - cost();
  const shown = new Set<StepView>(running);
  const rank = (s: StepView) => (s.state === 'error' ? 0 : s.state === 'waiting' ? 2 : 1);
  const others = state.steps
    .filter((s) => s.state !== 'running')
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s) - rank(b.s) || b.i - a.i);
  for (const { s } of others) {
    if (room <= 0) break;
    shown.add(s);
    room--;
  }
  const lines: Line[] = [header(state, o)];
  for (const step of ordered(state.steps)) {
    if (!shown.has(step)) continue;
    lines.push(stepLine(step, o));
    if (step.state === 'running' && tail > 0) lines.push(...tailLines(step, o, tail));
  }
  return lines.slice(0, Math.max(1, o.rows - 1));
}

export function layout(state: ProgressState, o: LayoutOptions): Line[] {
  const lines = o.final
    ? finalFrame(state, o)
    : liveFrame(state, { ...o, rows: o.rows - (o.notice ? 1 : 0) });
  if (o.notice === undefined) return lines;
  return [lines[0]!, { text: truncate(` ! ${o.notice}`, o.columns), tone: 'error' }, ...lines.slice(1)];
}
