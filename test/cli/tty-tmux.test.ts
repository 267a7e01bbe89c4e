/**
 * The live view in a real terminal: the CLI runs inside tmux (its own server socket), the pane is
 * captured mid-build and at the end, and Ctrl-C sent to the pane cancels the build (exit 130).
 * `TSBUILD_TTY_CAPTURE=FILE` keeps the mid-build capture (a screenshot equivalent for reports).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { E2E_REASON, E2E_SKIP, REPO, tsbuild } from '../support/cli.ts';

const run = promisify(execFile);
const hasTmux = ['/usr/bin/tmux', '/bin/tmux'].some((p) => existsSync(p));

describe.skipIf(E2E_SKIP || !hasTmux)(`live view in tmux (${E2E_REASON}, and tmux)`, () => {
  const server = `tsb-test-${process.pid}`;
  let dir: string;
  let store: string;
  const tmux = (...args: string[]) => run('tmux', ['-L', server, ...args]);
  const capture = async (session: string) => (await tmux('capture-pane', '-p', '-t', session)).stdout;

  async function waitFor(session: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const started = Date.now();
    for (;;) {
      const screen = await capture(session);
      if (pattern.test(screen)) return screen;
      if (Date.now() - started > timeoutMs) throw new Error(`pane never showed ${pattern}:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Starts the CLI in a 100x30 pane; the pane prints EXIT=<code> when it ends. */
  async function start(session: string, args: string): Promise<void> {
    const cli = `${process.execPath} ${join(REPO, 'bin/tsbuild.js')} --root ${store} ${args}`;
    await tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '100',
      '-y',
      '30',
      `env -u CI ${cli}; echo EXIT=$?; sleep 600`,
    );
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsb-tmux-'));
    store = join(dir, 'store');
    await cp(join(REPO, 'fixtures/my-httpd'), join(dir, 'ctx'), { recursive: true });
    await writeFile(
      join(dir, 'ctx/Dockerfile.slow'),
      [
        'FROM busybox:local',
        'WORKDIR /var/www',
        'COPY index.html .',
        'RUN for i in 1 2 3 4 5 6; do echo "tick $i"; sleep 0.5; done',
        'RUN echo second step',
        '',
      ].join('\n'),
    );
    expect((await tsbuild(['import', inject('busyboxRootfs'), 'busybox:local'], { root: store })).code).toBe(
      0,
    );
  });
  afterAll(async () => {
    await tmux('kill-server').catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('shows running steps with a spinner, time and output, then the summary', async () => {
    await start(
      'build',
      `build -t slow --no-cache -f ${join(dir, 'ctx/Dockerfile.slow')} ${join(dir, 'ctx')}`,
    );
    const mid = await waitFor('build', /=> => # tick 2/);
    if (process.env.TSBUILD_TTY_CAPTURE) await writeFile(process.env.TSBUILD_TTY_CAPTURE, mid);
    expect(mid).toMatch(/^\[\+\] Building \d+\.\ds \(\d+\/\d+\)$/m);
    expect(mid).toMatch(/^ [⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[4\/5\] RUN for i in .* +\d+\.\ds$/m);
    expect(mid).toMatch(/^ => \[3\/5\] COPY index\.html \. +(\d+B {2})?\d+\.\ds$/m);
    expect(mid).toMatch(/^ \.\. \[5\/5\] RUN echo second step$/m);
    for (const line of mid.split('\n')) expect(line.length).toBeLessThanOrEqual(100);

    const end = await waitFor('build', /EXIT=\d+/);
    expect(end).toMatch(/^\[\+\] Building \d+\.\ds \(\d+\/\d+\) FINISHED$/m);
    expect(end).toMatch(/^Built in \d+\.\ds: \d+ steps run, \d+ cached \(\d+% cache hits\)$/m);
    expect(end).toMatch(/^image sha256:[0-9a-f]{64} {2}slow:latest$/m);
    expect(end).toContain('EXIT=0');
    // Each step appears once: frames were redrawn in place, not appended.
    expect(end.match(/\[4\/5\] RUN for i/g)).toHaveLength(1);
  });

  it('cancels the build on Ctrl-C and exits 130', async () => {
    await start('cancel', `build --no-cache -f ${join(dir, 'ctx/Dockerfile.slow')} ${join(dir, 'ctx')}`);
    await waitFor('cancel', /=> => # tick 1/);
    await tmux('send-keys', '-t', 'cancel', 'C-c');
    const end = await waitFor('cancel', /EXIT=\d+/);
    expect(end).toContain(' ! build: cancelling (press Ctrl-C again to exit at once)');
    expect(end).toMatch(/^ => CANCELED \[4\/5\] RUN for i/m);
    expect(end).toContain('EXIT=130');
  });
});
