/** Runs shell steps against a test store and collects their output. */
import type { ExecRequest, Executor, RunOptions } from '../../../src/executor/types.ts';
import type { TestStore } from './busybox.ts';

export interface ShellRun {
  readonly output: string;
  readonly upperDir: string;
  commit(): Promise<string>;
  abort(): Promise<void>;
}

export type ShellOptions = Partial<Omit<ExecRequest, 'snapshot' | 'args'>> & {
  readonly parent?: string;
  readonly signal?: AbortSignal;
  readonly onOutput?: RunOptions['onOutput'];
};

/** Runs `sh -c script` on a fresh snapshot; on failure the snapshot is aborted and the error rethrown. */
export async function runShell(
  store: TestStore,
  executor: Executor,
  script: string,
  options: ShellOptions = {},
): Promise<ShellRun> {
  const { parent, signal, onOutput, ...request } = options;
  const snapshot = await store.snapshotter.prepare(parent ?? store.baseId);
  const chunks: Buffer[] = [];
  try {
    await executor.run(
      { env: [], cwd: '/', network: 'host', ...request, snapshot, args: ['/bin/sh', '-c', script] },
      {
        ...(signal !== undefined && { signal }),
        onOutput: (stream, chunk) => {
          chunks.push(chunk);
          onOutput?.(stream, chunk);
        },
      },
    );
  } catch (error) {
    await snapshot.abort();
    throw error;
  }
  return {
    output: Buffer.concat(chunks).toString(),
    upperDir: snapshot.upperDir,
    commit: () => snapshot.commit(),
    abort: () => snapshot.abort(),
  };
}
