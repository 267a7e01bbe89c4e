/**
 * After builds that used `--secret` (from a file and from an environment variable, as a file
 * mount and as an env mount), the secret's value appears nowhere: not in any file of the store
 * (blobs, records, snapshots, logs, everything), not in the saved image, not in the build's
 * output or its JSON events, not in an exported cache.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { E2E_REASON, E2E_SKIP, tsbuild } from '../support/cli.ts';
import { useBusyboxStore } from './support/busybox-store.ts';

/** Every regular file under `dir` whose bytes contain `needle`. */
async function filesContaining(dir: string, needle: Buffer): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await readFile(file)).includes(needle)) found.push(path.relative(dir, file));
  }
  return found;
}

describe.skipIf(E2E_SKIP)(`secrets leave no trace (${E2E_REASON})`, () => {
  const store = useBusyboxStore('tsbuild-secrets-');

  it('in the store, the image, the output, the events or an exported cache', async () => {
    const fromFile = `file-secret-${randomBytes(12).toString('hex')}`;
    const fromEnv = `env-secret-${randomBytes(12).toString('hex')}`;
    const context = path.join(store.dir, 'context');
    await mkdir(context);
    const secretFile = path.join(store.dir, 'token.txt');
    await writeFile(secretFile, fromFile);
    await writeFile(
      path.join(context, 'Dockerfile'),
      [
        'FROM busybox:local',
        // Used for real (the step fails if the value is wrong), never printed.
        `RUN --mount=type=secret,id=tok test "$(wc -c < /run/secrets/tok)" -eq ${fromFile.length} && echo used-file > /used-file`,
        `RUN --mount=type=secret,id=envtok,env=TOKEN test "\${#TOKEN}" -eq ${fromEnv.length} && echo used-env > /used-env`,
        '',
      ].join('\n'),
    );
    const cacheDir = path.join(store.dir, 'exported-cache');
    const outputs: string[] = [];
    for (const progress of ['plain', 'json']) {
      const built = await tsbuild(
        [
          'build',
          `--progress=${progress}`,
          '--no-cache',
          '-t',
          'with-secrets',
          '--secret',
          `id=tok,src=${secretFile}`,
          '--secret',
          'id=envtok,env=SECRET_VALUE',
          '--cache-to',
          `type=local,dest=${cacheDir},mode=max`,
          context,
        ],
        { root: store.root, env: { SECRET_VALUE: fromEnv } },
      );
      expect(built.code, built.stderr).toBe(0);
      outputs.push(built.stdout, built.stderr);
    }
    const saved = path.join(store.dir, 'image.tar');
    const save = await tsbuild(['save', 'with-secrets', '-o', saved, '--compression', 'none'], {
      root: store.root,
    });
    expect(save.code, save.stderr).toBe(0);
    const logs = await tsbuild(['logs'], { root: store.root });
    outputs.push(logs.stdout);

    // The steps did run with the secrets (so a value that leaked would have had its chance).
    expect((await readFile(saved)).includes(Buffer.from('used-file'))).toBe(true);
    expect((await readFile(saved)).includes(Buffer.from('used-env'))).toBe(true);
    expect(outputs.join('\n')).toContain('"type":"vertex.completed"');
    // The scan finds a value where it is: the secret's own source file, and nowhere else.
    expect(await filesContaining(store.dir, Buffer.from(fromFile))).toEqual(['token.txt']);
    for (const secret of [fromFile, fromEnv]) {
      const needle = Buffer.from(secret);
      expect(await filesContaining(store.root, needle), `${secret} in the store`).toEqual([]);
      expect(await filesContaining(cacheDir, needle), `${secret} in the exported cache`).toEqual([]);
      expect((await readFile(saved)).includes(needle), `${secret} in the saved image`).toBe(false);
      expect(outputs.join('\n'), `${secret} in the output`).not.toContain(secret);
    }
  });
});
