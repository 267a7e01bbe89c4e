import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const DOCKERFILE = [
  'ARG VERSION=1.2',
  'FROM scratch AS base',
  'ARG VERSION',
  'COPY a /a',
  'FROM base AS build',
  'COPY b /b',
  'FROM scratch AS unused',
  'FROM scratch',
  'COPY --from=build /a /a',
  '',
].join('\n');

describe('tsbuild build --print=outline', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsb-outline-'));
    await writeFile(join(dir, 'Dockerfile'), DOCKERFILE);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the needed stages with base, build args and dependencies, and builds nothing', async () => {
    const run = await runCli(['build', '--print=outline', '--build-arg', 'VERSION=2', dir], {
      root: join(dir, 'store'),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Global build args:\n  VERSION=2');
    expect(run.stdout).toContain('Stage base (#0)');
    expect(run.stdout).toContain('build args: VERSION=2');
    expect(run.stdout).toContain('Stage build (#1)\n  base:       stage base');
    expect(run.stdout).toMatch(/Stage #3 \[target\]\n {2}base: {7}scratch\n {2}depends on: build \(#1\)/);
    expect(run.stdout).not.toContain('unused');
  });

  it('--target outlines only what the target needs', async () => {
    const run = await runCli(['build', '--print=outline', '--target', 'base', dir], {
      root: join(dir, 'store'),
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Stage base (#0) [target]');
    expect(run.stdout).not.toContain('Stage build');
  });
});
