/** Reading a Dockerfile the user named: a path, or `-` for standard input. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { TsbuildError } from '../index.ts';
import type { CliContext } from './shared.ts';

export interface DockerfileSource {
  /** Name shown in messages. */
  readonly name: string;
  readonly text: string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The Dockerfile at `path`, or standard input for `-`. */
export async function readDockerfile(path: string, ctx: CliContext): Promise<DockerfileSource> {
  if (path === '-') return { name: 'Dockerfile', text: await readAll(ctx.stdin) };
  try {
    return { name: basename(path), text: await readFile(path, 'utf8') };
  } catch (error) {
    throw new TsbuildError('USAGE', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
      hint: 'give the Dockerfile path (or - for standard input)',
    });
  }
}
