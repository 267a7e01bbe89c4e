/**
 * Runs the CLI's `main` in this process with captured streams: the same code path as
 * `bin/tsbuild.js` without a child process, so tests read src/ (not a compiled dist/ that
 * another test run may be rewriting) and finish faster.
 */
import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';
import type { CliContext } from '../../src/cli/shared.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Standard output as bytes (archives written to it). */
  readonly stdoutBytes: Buffer;
}

function sink(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
}

export async function runCli(
  args: readonly string[],
  options: { readonly root: string; readonly input?: string | Buffer; readonly env?: NodeJS.ProcessEnv },
): Promise<CliRun> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = sink(out);
  const stderr = sink(err);
  const ctx: CliContext = {
    out: (text) => stdout.write(text),
    err: (text) => stderr.write(text),
    stdout,
    stderr,
    sources: new Map(),
    env: { ...process.env, CI: 'true', ...options.env },
    stdin: Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]),
    isTTY: false,
    isErrTTY: false,
    version: async () => '0.0.0-test',
  };
  const code = await main(['--root', options.root, ...args], ctx);
  const stdoutBytes = Buffer.concat(out);
  return { code, stdout: stdoutBytes.toString(), stderr: Buffer.concat(err).toString(), stdoutBytes };
}
