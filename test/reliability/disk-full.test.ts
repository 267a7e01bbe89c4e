/**
 * Disk full: builds on a store on a 24 MiB tmpfs that a step overfills, inside the container or
 * while its layer is written. The build fails with an error that says the disk is full and what
 * to do, the store checks clean (no corruption, no debris), and a build that fits still succeeds.
 * The tmpfs exists only in a private mount namespace, so nothing is left mounted whatever happens.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { E2E_REASON, E2E_SKIP, REPO } from '../support/cli.ts';

const execFileAsync = promisify(execFile);

/** Each command's stdout/stderr and exit code, as the script in the namespace saw them. */
interface Step {
  readonly code: number;
  readonly output: string;
}

/**
 * Runs `tsbuild --root STORE <args>` for each command line in a namespace where STORE sits on a
 * fresh tmpfs of `sizeMiB`; returns what each printed (stdout and stderr together) and its exit code.
 */
async function onSmallDisk(
  dir: string,
  sizeMiB: number,
  commands: readonly (readonly string[])[],
): Promise<Step[]> {
  const mnt = path.join(dir, 'mnt');
  await mkdir(mnt, { recursive: true });
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const tsbuild = `${quote(process.execPath)} ${quote(path.join(REPO, 'bin', 'tsbuild.js'))} --root ${quote(`${mnt}/store`)}`;
  const script = [
    `mount -t tmpfs -o size=${sizeMiB}m tmpfs ${quote(mnt)}`,
    ...commands.map((args) => `${tsbuild} ${args.map(quote).join(' ')} 2>&1; echo "@@exit=$?"`),
  ].join('\n');
  const { stdout } = await execFileAsync(
    'unshare',
    ['--mount', '--propagation', 'private', 'sh', '-c', script],
    {
      maxBuffer: 64 << 20,
      env: { ...process.env, CI: 'true' },
    },
  );
  return stdout.split(/@@exit=(\d+)\n/).reduce<Step[]>((steps, part, i, parts) => {
    if (i % 2 === 0 && i + 1 < parts.length) steps.push({ output: part, code: Number(parts[i + 1]) });
    return steps;
  }, []);
}

describe.skipIf(E2E_SKIP)(`a store that runs out of space (${E2E_REASON})`, () => {
  let dir: string;
  let contexts: Record<'inContainer' | 'inLayer' | 'small', string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-disk-full-'));
    const context = async (name: string, dockerfile: string) => {
      const ctx = path.join(dir, name);
      await mkdir(ctx);
      await writeFile(path.join(ctx, 'Dockerfile'), dockerfile);
      return ctx;
    };
    contexts = {
      // 64 MiB cannot fit in 24 MiB: the RUN itself hits the full disk.
      inContainer: await context(
        'in-container',
        'FROM busybox:local\nRUN head -c 67108864 /dev/zero > /fill\n',
      ),
      // 14 MiB fits in the upper dir, but not twice: writing the layer blob runs out.
      inLayer: await context('in-layer', 'FROM busybox:local\nRUN head -c 14680064 /dev/urandom > /fill\n'),
      small: await context('small', 'FROM busybox:local\nRUN echo fits > /small\n'),
    };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const where of ['inContainer', 'inLayer'] as const) {
    it(`fails clearly when the disk fills ${where === 'inContainer' ? 'inside a RUN' : 'while its layer is written'}, leaving a valid store`, async () => {
      const [imported, full, check, small, after] = await onSmallDisk(path.join(dir, where), 24, [
        ['import', inject('busyboxRootfs'), 'busybox:local'],
        ['build', '--progress=plain', contexts[where]],
        ['check'],
        ['build', '--progress=plain', '-t', 'small', contexts.small],
        ['check'],
      ]);
      expect(imported?.code, imported?.output).toBe(0);
      expect(full?.code, full?.output).toBe(1);
      expect(full?.output).toMatch(/^error: .*(ENOSPC|no space left on device)/im);
      expect(full?.output).toMatch(/^hint: .*full.*tsbuild prune/im);
      expect(full?.output).not.toMatch(/^\s+at /m);
      // The failed build cleaned up after itself: nothing for a sweep to do, nothing corrupt.
      expect(check?.output).toContain('no problems found');
      expect(check?.code).toBe(0);
      expect(small?.code, small?.output).toBe(0);
      expect(after?.output).toContain('no problems found');
    });
  }
});
