/**
 * Ctrl-C during long work: the first SIGINT (or SIGTERM) cancels cleanly
 * through an AbortSignal; a second one exits at once.
 */
import { TsbuildError } from '../index.ts';
import { EXIT } from './errors.ts';

export interface Interrupts {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function handleInterrupts(what: string, say: (text: string) => void): Interrupts {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) {
      say(`${what}: interrupted again, exiting now`);
      process.exit(EXIT.cancelled);
    }
    say(`${what}: cancelling (press Ctrl-C again to exit at once)`);
    controller.abort(new TsbuildError('CANCELLED', `${what} cancelled`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
