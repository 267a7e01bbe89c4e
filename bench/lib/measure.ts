/**
 * One timed run of a shell command under hyperfine (`--runs 1`): the harness does the preparing
 * itself between runs, so rounds can interleave engines and memory sampling sees only the
 * measured command. hyperfine subtracts its shell's start-up from the time it reports.
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type RssPeak, startRssSampler } from './rss.ts';

export interface Measurement {
  readonly seconds: number;
  readonly rss: RssPeak;
  /** Set when the command failed: the tail of its output. */
  readonly error?: string;
}

interface HyperfineJson {
  readonly results: readonly { readonly times: readonly number[]; readonly exit_codes: readonly number[] }[];
}

export interface MeasureOptions {
  readonly command: string;
  /** Scratch directory for hyperfine's JSON and the command's output. */
  readonly scratch: string;
  readonly daemons?: () => readonly number[];
  readonly env?: NodeJS.ProcessEnv;
}

export async function measure(options: MeasureOptions): Promise<Measurement> {
  const json = join(options.scratch, 'hyperfine.json');
  const log = join(options.scratch, 'command.log');
  await rm(log, { force: true });
  const child = spawn(
    'hyperfine',
    [
      '--runs',
      '1',
      '--ignore-failure',
      '--style',
      'none',
      '--export-json',
      json,
      `(${options.command}) >${log} 2>&1`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: options.env ?? process.env },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const sampler = startRssSampler(child.pid!, options.daemons ?? (() => []));
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c ?? -1));
  });
  const rss = await sampler.stop();
  if (code !== 0) throw new Error(`hyperfine failed (exit ${code}): ${stderr.trim()}`);
  const result = (JSON.parse(await readFile(json, 'utf8')) as HyperfineJson).results[0]!;
  const seconds = result.times[0]!;
  if (result.exit_codes[0] === 0) return { seconds, rss };
  const output = await readFile(log, 'utf8').catch(() => '');
  return {
    seconds,
    rss,
    error: `exit ${result.exit_codes[0]}: ${output.trim().split('\n').slice(-8).join('\n')}`,
  };
}
