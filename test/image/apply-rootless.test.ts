import { execFileSync } from 'node:child_process';
import { chown, lstat, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasTool } from './support/rootfs.ts';
import { buildTar, isRoot, tempDir } from './support/tar.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const NOBODY = 65534;

describe.skipIf(!isRoot || !hasTool('setpriv'))(
  'applyLayer as an unprivileged user (needs root and setpriv to become nobody)',
  () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ dir, cleanup } = await tempDir());
      await chown(dir, NOBODY, NOBODY);
    });
    afterEach(async () => cleanup());

    it('skips device nodes and ownership it may not set, and still unpacks the rest', async () => {
      const layer = path.join(dir, 'layer.tar');
      await writeFile(
        layer,
        await buildTar([
          { header: { name: 'dev/', type: 'directory', mode: 0o40755 } },
          { header: { name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o60660 } },
          { header: { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o20666 } },
          { header: { name: 'bin/su', type: 'file', mode: 0o104755, uid: 0, gid: 0 }, data: 'su' },
          {
            header: {
              name: 'bin/ping',
              type: 'file',
              pax: {
                'SCHILY.xattr.security.capability': Buffer.from(
                  '0100000200200000000000000000000000000000',
                  'hex',
                ),
              },
            },
            data: 'ping',
          },
        ]),
      );
      const target = path.join(dir, 'rootfs');
      const node = path.join(here, '../../node_modules/.bin/node');
      const args = ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', node];
      const out = execFileSync('setpriv', [...args, path.join(here, 'support/apply-cli.ts'), layer, target]);
      expect(JSON.parse(out.toString())).toMatchObject({ skippedDevices: 2, skippedXattrs: 1 });
      expect(await readdir(path.join(target, 'dev'))).toEqual([]);
      const su = await lstat(path.join(target, 'bin/su'));
      expect({ uid: su.uid, mode: su.mode & 0o7777 }).toEqual({ uid: NOBODY, mode: 0o4755 });
      expect((await lstat(path.join(target, 'bin/ping'))).size).toBe(4);
    });
  },
);
