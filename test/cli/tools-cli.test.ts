/** Commands without a build: parse, lint, du, prune, version, help, and usage errors. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

let dir: string;
const cli = (args: readonly string[], input?: string) =>
  runCli(args, { root: join(dir, 'store'), ...(input !== undefined && { input }) });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsb-tools-cli-'));
  await writeFile(
    join(dir, 'Dockerfile'),
    'FROM busybox AS build\nRUN make\nFROM scratch\nCOPY --from=build /out /\n',
  );
  await writeFile(join(dir, 'Dockerfile.findings'), 'from busybox as Build\nMAINTAINER me\nCMD echo hi\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parse', () => {
  it('prints the syntax tree as JSON', async () => {
    const parsed = await cli(['parse', '--format', 'json', join(dir, 'Dockerfile')]);
    expect(parsed.code).toBe(0);
    const json = JSON.parse(parsed.stdout);
    expect(JSON.stringify(json)).toContain('"COPY"');
  });

  it('prints one instruction per line, and reports syntax errors with exit code 3', async () => {
    const text = await cli(['parse', '-'], 'FROM busybox\nRUNN x\n');
    expect(text.stdout).toBe('1:1\tFROM\tFROM busybox\n');
    expect(text.stderr).toMatch(/^Dockerfile:2:1: .*RUNN/m);
    expect(text.code).toBe(3);
  });
});

describe('lint', () => {
  it('exits 0 on a clean Dockerfile', async () => {
    const clean = await cli(['lint', join(dir, 'Dockerfile')]);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
  });

  it('reports findings with the line and a caret, and exits 1', async () => {
    const found = await cli(['lint', join(dir, 'Dockerfile.findings')]);
    expect(found.code).toBe(1);
    expect(found.stderr).toMatch(/Dockerfile\.findings:2:1: warning: .* \[MaintainerDeprecated\]/);
    expect(found.stderr).toContain('    2 | MAINTAINER me');
    expect(found.stderr).toMatch(/\d+ findings\n$/);
  });

  it('writes findings as JSON for machines', async () => {
    const found = await cli(['lint', '--format', 'json', join(dir, 'Dockerfile.findings')]);
    expect(found.code).toBe(1);
    const report = JSON.parse(found.stdout) as { file: string; findings: { code: string; line: number }[] };
    expect(report.file).toBe('Dockerfile.findings');
    expect(report.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['MaintainerDeprecated', 'JSONArgsRecommended']),
    );
  });
});

describe('store commands', () => {
  it('du reports space by kind; prune reports what it removed', async () => {
    const du = await cli(['du', '--format', 'json']);
    expect(du.code).toBe(0);
    expect(JSON.parse(du.stdout)).toMatchObject({
      totalBytes: expect.any(Number),
      buildRecords: { count: 0 },
    });
    const table = await cli(['du']);
    expect(table.stdout).toMatch(/^TYPE +COUNT +SIZE\nsnapshots /);
    const pruned = await cli(['prune', '--filter', 'until=24h']);
    expect(pruned.stdout).toMatch(
      /^Removed 0 cache records, 0 snapshots, 0 build logs\nTotal reclaimed space: /,
    );
    const bad = await cli(['prune', '--filter', 'label=x']);
    expect(bad.code).toBe(2);
  });
});

describe('usage', () => {
  it('prints the version', async () => {
    expect((await cli(['version'])).stdout).toMatch(/^tsbuild 0\.0\.0-test \(node v\d+/);
  });

  it('has help with examples for every command', async () => {
    for (const command of [
      'build',
      'images',
      'tag',
      'rmi',
      'inspect',
      'history',
      'save',
      'load',
      'import',
      'pull',
      'push',
      'login',
      'logout',
      'run',
      'du',
      'prune',
      'parse',
      'lint',
      'bench',
      'serve',
      'logs',
    ]) {
      const help = await cli([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(/Examples:/);
    }
  });

  it('exits 2 with a hint on a wrong command line', async () => {
    const wrong = await cli(['images', '--bogus']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^error: .*\nhint: /);
  });
});
