/** Small process helpers for the harness: run a command, quote for sh. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Quotes a string for a POSIX shell command line. */
export function q(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program; rejects with its stderr in the message when it fails. */
export async function run(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      maxBuffer: 64 * 1024 * 1024,
      ...(options.env !== undefined && { env: options.env }),
      ...(options.cwd !== undefined && { cwd: options.cwd }),
    });
    return { stdout, stderr };
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/** Runs a shell command line. */
export function sh(command: string, env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return run('/bin/sh', ['-c', command], env === undefined ? {} : { env });
}

/** First line of a program's output, or undefined when it cannot run. */
export async function firstLine(file: string, args: readonly string[]): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await run(file, args);
    return (stdout.trim() || stderr.trim()).split('\n')[0];
  } catch {
    return undefined;
  }
}
