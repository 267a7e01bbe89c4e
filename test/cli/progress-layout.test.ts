/** The live view's model and layout: states, numbering, output tails, width and height limits, summary. */
import { describe, expect, it } from 'vitest';
import { cacheSummary, initialState, type ProgressState, reduce } from '../../src/cli/progress/model.ts';
import { createPlainReporter } from '../../src/cli/progress/plain.ts';
import { layout, truncate } from '../../src/cli/progress/tty/layout.ts';
import type { BuildEvent } from '../../src/index.ts';
import { COPY, failed, finished, midBuild, RUN } from './events.ts';

/** Events folded with a clock that advances 100 ms per event. */
function fold(events: readonly BuildEvent[]): ProgressState {
  let state = initialState(0);
  events.forEach((e, i) => {
    state = reduce(state, e, (i + 1) * 100);
  });
  return state;
}

const wide = { columns: 100, rows: 40, spinner: '*', final: false } as const;

describe('progress model', () => {
  it('numbers steps as the plain output does', () => {
    const plain: string[] = [];
    const report = createPlainReporter({ write: (t) => plain.push(t) });
    for (const e of finished) report(e);
    // The first line printed for #N is the step's name.
    const numbered = new Map<string, number>();
    const seen = new Set<number>();
    for (const line of plain.join('').split('\n')) {
      const m = /^#(\d+) (.*)$/.exec(line);
      if (m === null || seen.has(Number(m[1]))) continue;
      seen.add(Number(m[1]));
      numbered.set(m[2]!, Number(m[1]));
    }
    expect(numbered.size).toBe(6);
    const state = fold(finished);
    for (const step of state.steps)
      expect(`${step.name} #${step.n}`).toBe(`${step.name} #${numbered.get(step.name)}`);
  });

  it('never merges a partial line of one stream with the other stream (plain and live view)', () => {
    const log = (stream: 'stdout' | 'stderr', data: string): BuildEvent => ({
      type: 'vertex.log',
      vertex: RUN,
      stream,
      data,
    });
    const events: BuildEvent[] = [
      { type: 'vertex.started', vertex: RUN, explain: 'no cache record' } as BuildEvent,
      log('stderr', "sh: can't create /proc/sys/ker"),
      log('stdout', 'refused\n'),
      log('stderr', 'nel/panic: Read-only file system\n'),
      log('stdout', 'half'),
      { type: 'vertex.completed', vertex: RUN, durationMs: 10 } as BuildEvent,
    ];
    const plain: string[] = [];
    const report = createPlainReporter({ write: (t) => plain.push(t) });
    for (const e of events) report(e);
    const lines = plain
      .join('')
      .split('\n')
      .filter((l) => /^#\d+ +\d+\.\d /.test(l))
      .map((l) => l.replace(/^#\d+ +\d+\.\d /, ''));
    expect(lines).toEqual([
      'refused',
      "sh: can't create /proc/sys/kernel/panic: Read-only file system",
      'half',
    ]);
    const step = fold(events.slice(0, -1)).steps.find((s) => s.name === RUN.name)!;
    expect(step.tail).toEqual(['refused', "sh: can't create /proc/sys/kernel/panic: Read-only file system"]);
    expect(step.partial).toBe('half');
  });

  it('tracks each step state, the output tail and byte progress', () => {
    const state = fold(midBuild);
    const byName = new Map(state.steps.map((s) => [s.name, s]));
    expect(state.steps.map((s) => s.state)).toEqual(['done', 'cached', 'cached', 'running', 'running']);
    expect(byName.get(RUN.name)?.tail).toEqual(['compiling part 1', 'compiling part 2']);
    expect(byName.get(RUN.name)?.partial).toBe('part');
    expect(byName.get(COPY.name)?.bytes).toEqual({ current: 2_500_000, total: 10_000_000 });
    expect(byName.get(COPY.name)?.explain).toBe('index.html content changed');
  });

  it('counts cache hits over build steps only', () => {
    expect(cacheSummary(fold(finished).steps)).toEqual({ cached: 2, ran: 2, hitRatio: 0.5 });
  });
});

describe('live layout', () => {
  it('shows a header, every step with its state and time, and the running step output', () => {
    const lines = layout(fold(midBuild), { ...wide, now: 2000 }).map((l) => l.text.trimEnd());
    expect(lines[0]).toBe('[+] Building 2.0s (3/5)');
    expect(lines).toContainEqual(expect.stringMatching(/^ => CACHED \[2\/4\] WORKDIR \/var\/www +0\.0s$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^ \* \[3\/4\] COPY index\.html \. +2\.50MB \/ 10\.0MB {2}1\.0s$/),
    );
    const run = lines.findIndex((l) => l.includes('[4/4] RUN'));
    expect(lines.slice(run + 1, run + 4)).toEqual([
      ' => => # compiling part 1',
      ' => => # compiling part 2',
      ' => => # part',
    ]);
  });

  it('never draws a line wider than the terminal', () => {
    for (const columns of [20, 33, 45]) {
      const lines = layout(fold(midBuild), { ...wide, columns, now: 2000 });
      for (const l of lines) expect([...l.text].length, l.text).toBeLessThanOrEqual(columns);
      expect(lines.some((l) => l.text.includes('…'))).toBe(true);
    }
  });

  it('keeps within the terminal height, running steps first', () => {
    const lines = layout(fold(midBuild), { ...wide, rows: 5, now: 2000 });
    expect(lines.length).toBeLessThanOrEqual(4);
    expect(lines.map((l) => l.text).join('\n')).toContain('[4/4] RUN');
    expect(lines.map((l) => l.text).join('\n')).toContain('[3/4] COPY');
  });

  it('ends with every step and a summary: time, cache hits, image and tags', () => {
    const lines = layout(fold(finished), { ...wide, final: true, now: 9999, tags: ['my-httpd:latest'] }).map(
      (l) => l.text.trimEnd(),
    );
    expect(lines[0]).toBe('[+] Building 2.1s (6/6) FINISHED');
    expect(lines).toContainEqual(expect.stringMatching(/^ => \[4\/4\] RUN .* +1\.5s$/));
    expect(lines.slice(-2)).toEqual([
      'Built in 2.1s: 2 steps run, 2 cached (50% cache hits)',
      'image sha256:abc123  my-httpd:latest',
    ]);
  });

  it('shows the failing step with its output', () => {
    const lines = layout(fold(failed), { ...wide, final: true, now: 9999 }).map((l) => l.text.trimEnd());
    expect(lines[0]).toBe('[+] Building 1.0s (5/5) FAILED');
    expect(lines).toContainEqual(expect.stringMatching(/^ => ERROR \[4\/4\] RUN .* +0\.9s$/));
    expect(lines).toContain(' => => # make: *** [all] Error 2');
    expect(lines).toContainEqual(expect.stringMatching(/^ => CANCELED \[3\/4\] COPY/));
    expect(lines.at(-1)).toBe('Failed after 1.0s: 1 step run, 2 cached (67% cache hits)');
  });

  it('lists steps in the order they started, waiting ones in the order they will run', () => {
    const state = fold(midBuild.filter((e) => e.type !== 'vertex.started' || e.vertex.id !== RUN.id));
    const names = layout(state, { ...wide, now: 2000 }).map((l) => l.text.trim().replace(/ +[\d.]+s$/, ''));
    expect(names.slice(1)).toEqual([
      '=> [internal] load build definition',
      '=> CACHED [1/4] FROM docker.io/library/busybox:local',
      '=> CACHED [2/4] WORKDIR /var/www',
      '* [3/4] COPY index.html .                                                     2.50MB / 10.0MB',
      '.. [4/4] RUN echo "built by tsbuild" > /built.txt',
    ]);
  });

  it('says why steps that ran missed the cache with --explain', () => {
    const lines = layout(fold(finished), { ...wide, final: true, now: 9999, explain: true }).map(
      (l) => l.text,
    );
    const copy = lines.findIndex((l) => l.includes('[3/4] COPY'));
    expect(lines[copy + 1]).toBe(' => => cache miss: index.html content changed');
    expect(lines.filter((l) => l.includes('cache miss'))).toHaveLength(2);
  });

  it('shows a notice from the CLI under the header', () => {
    const lines = layout(fold(midBuild), { ...wide, now: 2000, notice: 'build: cancelling' });
    expect(lines[1]).toEqual({ text: ' ! build: cancelling', tone: 'error' });
  });

  it('truncates with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(truncate('abc', 0)).toBe('');
  });
});
