/** The ink live view: rendered with ink-testing-library, and the reporter drawing on a fake terminal. */
import { Writable } from 'node:stream';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { initialState, type ProgressState, reduce } from '../../src/cli/progress/model.ts';
import { createTtyReporter } from '../../src/cli/progress/tty/reporter.tsx';
import { View } from '../../src/cli/progress/tty/view.tsx';
import type { BuildEvent } from '../../src/index.ts';
import { failed, finished, midBuild } from './events.ts';

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g');

function fold(events: readonly BuildEvent[]): ProgressState {
  return events.reduce((s, e, i) => reduce(s, e, (i + 1) * 100), initialState(0));
}

/** A writable that says it is a terminal of the given size and keeps what was written. */
function fakeTerminal(columns: number, rows: number) {
  let written = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      written += chunk.toString();
      done();
    },
  }) as Writable & { isTTY: boolean; columns: number; rows: number };
  stream.isTTY = true;
  stream.columns = columns;
  stream.rows = rows;
  return {
    stream,
    text: () => written.replace(ANSI, ''),
    /** Printed lines, cut where escape codes move the cursor or erase (between frames). */
    lines: () => written.split(ANSI).flatMap((part) => part.split('\n')),
  };
}

describe('View', () => {
  it('paints the running build: spinner, times, bytes and output tail', () => {
    const { lastFrame, unmount } = render(
      <View state={fold(midBuild)} final={false} tags={[]} clock={() => 2000} />,
    );
    const frame = lastFrame() ?? '';
    expect(frame).toContain('[+] Building 2.0s (3/5)');
    expect(frame).toMatch(/=> CACHED \[2\/4\] WORKDIR \/var\/www +0\.0s/);
    expect(frame).toMatch(/\[3\/4\] COPY index\.html \. +2\.50MB \/ 10\.0MB {2}1\.0s/);
    expect(frame).toContain(' => => # compiling part 2');
    unmount();
  });

  it('paints the final frame with the summary', () => {
    const { lastFrame, unmount } = render(
      <View state={fold(finished)} final={true} tags={['my-httpd:latest']} clock={() => 5000} />,
    );
    expect(lastFrame()).toContain('Built in 2.1s: 2 steps run, 2 cached (50% cache hits)');
    expect(lastFrame()).toContain('image sha256:abc123  my-httpd:latest');
    unmount();
  });
});

describe('createTtyReporter', () => {
  it('draws live frames on the terminal and leaves the final frame', async () => {
    const term = fakeTerminal(80, 24);
    let now = 0;
    const reporter = createTtyReporter({ stream: term.stream, interactive: true, clock: () => now });
    for (const e of finished) {
      now += 100;
      reporter.onEvent(e);
    }
    await reporter.finish({ tags: ['my-httpd:latest'] });
    const text = term.text();
    expect(text).toContain('[+] Building 2.1s (6/6) FINISHED');
    expect(text).toContain('image sha256:abc123  my-httpd:latest');
    for (const line of term.lines()) expect(line.length, line).toBeLessThanOrEqual(80);
  });

  it('fits a narrow terminal and reports a failure', async () => {
    const term = fakeTerminal(30, 10);
    const reporter = createTtyReporter({ stream: term.stream, interactive: true, clock: () => 1 });
    for (const e of failed) reporter.onEvent(e);
    await reporter.finish({ tags: [] });
    const text = term.text();
    expect(text).toContain('FAILED');
    expect(text).toMatch(/ERROR \[4\/4\] RUN/);
    for (const line of term.lines()) expect(line.length, line).toBeLessThanOrEqual(30);
  });
});
