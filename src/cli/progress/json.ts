/** `--progress=json`: the library's build events, one JSON object per line. */
import type { BuildEvent } from '../../index.ts';

/** Errors become `{ code, message }` (an Error has no enumerable fields for JSON). */
export function eventJson(event: BuildEvent): string {
  return JSON.stringify(event, (_key, value: unknown) =>
    value instanceof Error
      ? { code: (value as Error & { code?: unknown }).code ?? 'INTERNAL', message: value.message }
      : value,
  );
}

export function createJsonReporter(write: (text: string) => void): (event: BuildEvent) => void {
  return (event) => write(`${eventJson(event)}\n`);
}
