/** Everything a build reports, for the CLI's views and for library users. */
import type { Diagnostic } from '../parser/ast.ts';
import type { SolveEvent } from '../solver/index.ts';

export interface BuildWarning {
  readonly file: string;
  readonly diagnostic: Diagnostic;
}

/** Work outside the graph's vertices: reading the Dockerfile, resolving images, exporting. */
export interface PhaseInfo {
  readonly id: string;
  readonly name: string;
}

export type BuildEvent =
  | SolveEvent
  | {
      readonly type: 'build.started';
      readonly buildId: string;
      readonly dockerfile: string;
      readonly target?: string;
    }
  | { readonly type: 'build.warning'; readonly warning: BuildWarning }
  | { readonly type: 'phase.started'; readonly phase: PhaseInfo }
  | {
      readonly type: 'phase.progress';
      readonly phase: PhaseInfo;
      readonly current: number;
      readonly total: number | undefined;
    }
  | {
      readonly type: 'phase.completed';
      readonly phase: PhaseInfo;
      readonly durationMs: number;
      readonly cached?: boolean;
    }
  | {
      readonly type: 'phase.failed';
      readonly phase: PhaseInfo;
      readonly durationMs: number;
      readonly error: unknown;
    }
  | {
      readonly type: 'build.completed';
      readonly buildId: string;
      readonly durationMs: number;
      readonly imageId: string;
    }
  | {
      readonly type: 'build.failed';
      readonly buildId: string;
      readonly durationMs: number;
      readonly error: unknown;
    };

export type BuildEventType = BuildEvent['type'];

/** Runs `work` as a named phase, reporting its start, end and failure. */
export async function phase<T>(
  emit: (e: BuildEvent) => void,
  info: PhaseInfo,
  work: (progress: (current: number, total?: number) => void) => Promise<T>,
): Promise<T> {
  const started = performance.now();
  emit({ type: 'phase.started', phase: info });
  try {
    const value = await work((current, total) =>
      emit({ type: 'phase.progress', phase: info, current, total }),
    );
    emit({ type: 'phase.completed', phase: info, durationMs: performance.now() - started });
    return value;
  } catch (error) {
    emit({ type: 'phase.failed', phase: info, durationMs: performance.now() - started, error });
    throw error;
  }
}
