/**
 * `tsbuild serve` end to end: a real daemon process on a temp socket, builds through
 * `--host` (cached rebuilds, a changed file re-runs only what depends on it), the socket's
 * permissions (root only, or `--group`), and `--tcp` with a token. The daemon is stopped by PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, cp, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { E2E_REASON, E2E_SKIP, REPO, tsbuild } from '../support/cli.ts';

const BIN = resolve(REPO, 'bin/tsbuild.js');

function waitForSocket(path: string, child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`daemon exited with ${child.exitCode}`));
      const probe = connect(path);
      probe.once('connect', () => {
        probe.destroy();
        resolvePromise();
      });
      probe.once('error', () => {
        if (Date.now() - started > 30_000) reject(new Error(`no daemon on ${path}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function stopByPid(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null) return resolvePromise();
    child.once('exit', () => resolvePromise());
    process.kill(child.pid!, 'SIGTERM');
  });
}

/** Runs the CLI as another user (setpriv), for the permission checks. */
function asUser(
  uid: number,
  gid: number,
  args: readonly string[],
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      'setpriv',
      [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', process.execPath, BIN, ...args],
      { env: { PATH: process.env.PATH, CI: 'true', HOME: '/' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stderr }));
  });
}

describe.skipIf(E2E_SKIP)(`tsbuild serve and --host (${E2E_REASON})`, () => {
  let dir: string;
  let store: string;
  let context: string;
  let socket: string;
  let daemon: ChildProcess;
  let log = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsb-daemon-'));
    // Other users must reach the socket's directory, so that only the socket's own mode decides.
    await chmod(dir, 0o755);
    store = join(dir, 'store');
    context = join(dir, 'ctx');
    socket = join(dir, 'tsbuild.sock');
    await cp(join(REPO, 'fixtures/my-httpd'), context, { recursive: true });
    const imported = await tsbuild(['import', inject('busyboxRootfs'), 'busybox:local'], { root: store });
    expect(imported.code).toBe(0);
    daemon = spawn(process.execPath, [BIN, '--root', store, 'serve', '--socket', socket, '--group', '100'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    daemon.stderr!.on('data', (c: Buffer) => {
      log += c.toString();
    });
    await waitForSocket(socket, daemon);
  });

  afterAll(async () => {
    if (daemon !== undefined) await stopByPid(daemon);
    await rm(dir, { recursive: true, force: true });
  });

  const viaHost = (args: readonly string[]) =>
    tsbuild(['--host', `unix://${socket}`, ...args], { root: join(dir, 'client-store-unused') });

  it('listens on a socket only root and the group may open', async () => {
    const st = await stat(socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o660);
    expect(st.gid).toBe(100);
    expect(log).toContain(`listening on unix://${socket}`);
  });

  it('builds through the daemon, then rebuilds from its cache', async () => {
    const built = await viaHost(['build', '-t', 'my-httpd', '--progress=plain', context]);
    expect(built.stderr).toContain('RUN echo "built by tsbuild" > /built.txt');
    expect(built.stderr).toMatch(/#\d+ DONE/);
    expect(built.code).toBe(0);
    const again = await viaHost(['build', '-t', 'my-httpd', '--progress=plain', context]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/#\d+ CACHED/);
    expect(again.stderr).not.toMatch(/#\d+ \[\d\/4\] RUN[^\n]*\n#\d+ DONE/);
    const listed = await tsbuild(['images', '--format', 'json'], { root: store });
    expect(JSON.parse(listed.stdout).map((r: { repository: string }) => r.repository)).toContain('my-httpd');
  });

  it('sends a changed file and re-runs the steps that read it', async () => {
    await writeFile(join(context, 'index.html'), '<h1>through the daemon</h1>\n');
    const changed = await viaHost(['build', '-t', 'my-httpd', '--progress=json', context]);
    expect(changed.code).toBe(0);
    const events = changed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; vertex?: { name: string } });
    const ran = events.filter((e) => e.type === 'vertex.completed').map((e) => e.vertex!.name);
    expect(ran).toContainEqual(expect.stringContaining('COPY index.html .'));
    const run = await tsbuild(['run', '--rm', 'my-httpd', 'cat', 'index.html'], { root: store });
    expect(run.stdout).toBe('<h1>through the daemon</h1>\n');
  });

  it('reports build errors from the daemon with their location', async () => {
    await writeFile(join(context, 'Dockerfile.bad'), 'FROM busybox:local\nRUNN echo hi\n');
    const bad = await viaHost(['build', '-f', join(context, 'Dockerfile.bad'), context]);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/Dockerfile\.bad:2:1: .*RUNN/);
    expect(bad.stderr).toContain('2 | RUNN echo hi');
  });

  it('refuses a user who is neither root nor in the group', async () => {
    const refused = await asUser(65534, 65534, ['--host', `unix://${socket}`, 'build', context]);
    expect(refused.stderr).toMatch(/cannot reach the tsbuild daemon .*EACCES/);
    expect(refused.code).toBe(2);
  });

  it('lets a member of --group build', async () => {
    const allowed = await asUser(65534, 100, [
      '--host',
      `unix://${socket}`,
      'build',
      '--progress=quiet',
      context,
    ]);
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
  });

  it('serves loopback TCP only with the token', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'a-long-enough-test-token\n', { mode: 0o600 });
    const tcpSocket = join(dir, 'tcp.sock');
    const tcp = spawn(
      process.execPath,
      [
        BIN,
        '--root',
        store,
        'serve',
        '--socket',
        tcpSocket,
        '--tcp',
        '127.0.0.1:0',
        '--token-file',
        tokenFile,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let tcpLog = '';
    tcp.stderr!.on('data', (c: Buffer) => {
      tcpLog += c.toString();
    });
    try {
      await waitForSocket(tcpSocket, tcp);
      const port = /tcp:\/\/127\.0\.0\.1:(\d+)/.exec(tcpLog)?.[1];
      expect(port).toMatch(/^\d+$/);
      const host = ['--host', `tcp://127.0.0.1:${port}`];
      const wrong = await tsbuild([...host, 'build', context], {
        root: store,
        env: { TSBUILD_TOKEN: 'nope' },
      });
      expect(wrong.stderr).toMatch(/missing or wrong token/);
      expect(wrong.code).toBe(2);
      const right = await tsbuild([...host, 'build', '-q', context], {
        root: store,
        env: { TSBUILD_TOKEN: 'a-long-enough-test-token' },
      });
      expect(right.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
      expect(right.code).toBe(0);
    } finally {
      await stopByPid(tcp);
    }
  });
});
