/** What every progress view does: take build events, then draw its end once the build is over. */
import type { BuildEvent } from '../../index.ts';

export interface Reporter {
  onEvent(event: BuildEvent): void;
  /** A message from the CLI itself (e.g. "cancelling"), shown without breaking the view. */
  notice(text: string): void;
  /** The build is over (tags are known only from its result); resolves when the view is done drawing. */
  finish(outcome: { readonly tags: readonly string[] }): Promise<void>;
}
