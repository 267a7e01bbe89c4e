/**
 * Picks the progress view: the live terminal view when standard error is a
 * terminal and this is not CI, BuildKit's plain lines otherwise, JSON lines
 * or nothing on request. The terminal view is imported only when chosen.
 */
import type { ProgressMode } from '../build/parse-args.ts';
import type { CliContext } from '../shared.ts';
import { createJsonReporter } from './json.ts';
import { createPlainReporter } from './plain.ts';
import type { Reporter } from './reporter.ts';

export type ResolvedMode = 'tty' | 'plain' | 'json' | 'quiet';

export function resolveMode(mode: ProgressMode, ctx: Pick<CliContext, 'isErrTTY' | 'env'>): ResolvedMode {
  if (mode !== 'auto') return mode;
  const ci = ctx.env.CI !== undefined && ctx.env.CI !== '' && ctx.env.CI !== 'false';
  return ctx.isErrTTY && !ci && ctx.env.TERM !== 'dumb' ? 'tty' : 'plain';
}

function eventsOnly(onEvent: Reporter['onEvent'], ctx: CliContext): Reporter {
  return { onEvent, notice: (text) => ctx.err(`${text}\n`), finish: async () => {} };
}

export async function createReporter(
  mode: ProgressMode,
  ctx: CliContext,
  options: { readonly explain: boolean },
): Promise<Reporter> {
  const resolved = resolveMode(mode, ctx);
  switch (resolved) {
    case 'quiet':
      return eventsOnly(() => {}, ctx);
    case 'json':
      return eventsOnly(
        createJsonReporter((t) => ctx.out(t)),
        ctx,
      );
    case 'plain':
      return eventsOnly(createPlainReporter({ write: (t) => ctx.err(t), explain: options.explain }), ctx);
    case 'tty': {
      const { createTtyReporter } = await import('./tty/reporter.tsx');
      return createTtyReporter({
        stream: ctx.stderr,
        explain: options.explain,
        ...(mode === 'tty' && { interactive: true }),
      });
    }
  }
}
