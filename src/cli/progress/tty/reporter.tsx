/**
 * The live view in a terminal. Loaded with a dynamic import only when a
 * terminal view is wanted, so plain, json and quiet runs never load ink or
 * React. Events are folded into the model at once; the frame is redrawn at
 * most every 50 ms, and ink rewrites only the lines that changed.
 */
import { render } from 'ink';
import type { BuildEvent } from '../../../index.ts';
import { initialState, reduce } from '../model.ts';
import type { Reporter } from '../reporter.ts';
import { View } from './view.tsx';

export interface TtyReporterOptions {
  readonly stream: NodeJS.WritableStream;
  /** Force a terminal view even where ink would detect none (`--progress=tty`). */
  readonly interactive?: boolean;
  /** `--explain`: say why each step that ran missed the cache. */
  readonly explain?: boolean;
  readonly clock?: () => number;
}

const REDRAW_MS = 50;

export function createTtyReporter(options: TtyReporterOptions): Reporter {
  const clock = options.clock ?? (() => performance.now());
  let state = initialState(clock());
  let notice: string | undefined;
  const view = (final: boolean, tags: readonly string[]) => (
    <View
      state={state}
      final={final}
      tags={tags}
      clock={clock}
      {...(notice !== undefined && { notice })}
      {...(options.explain === true && { explain: true })}
    />
  );
  const instance = render(view(false, []), {
    stdout: options.stream,
    exitOnCtrlC: false,
    patchConsole: false,
    incrementalRendering: true,
    ...(options.interactive !== undefined && { interactive: options.interactive }),
  });
  let timer: NodeJS.Timeout | undefined;
  const redraw = () => {
    timer = undefined;
    instance.rerender(view(false, []));
  };
  return {
    onEvent(event: BuildEvent) {
      state = reduce(state, event, clock());
      timer ??= setTimeout(redraw, REDRAW_MS);
    },
    notice(text: string) {
      notice = text.trim();
      timer ??= setTimeout(redraw, REDRAW_MS);
    },
    async finish({ tags }) {
      if (timer !== undefined) clearTimeout(timer);
      instance.rerender(view(true, tags));
      await instance.waitUntilRenderFlush();
      instance.unmount();
      await instance.waitUntilExit();
    },
  };
}
