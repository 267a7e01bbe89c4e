/**
 * Buildah (Debian's buildah) as `buildah bud --layers --runtime runc`, with its own storage root
 * under the harness's work directory so nothing touches /var/lib/containers.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { firstLine, q, sh } from '../shell.ts';
import type { Engine, EngineContext, EngineFactory } from './types.ts';

const BUILDAH = '/usr/bin/buildah';

export const buildahFactory: EngineFactory = {
  id: 'buildah',
  async unavailable() {
    if (process.getuid?.() !== 0) return 'needs root (rootful storage under the work directory)';
    if (!existsSync(BUILDAH)) return 'needs Debian package buildah (bench/setup.sh installs it)';
    return undefined;
  },
  async start(ctx: EngineContext): Promise<Engine> {
    const dir = join(ctx.work, 'engines/buildah');
    const buildah = `${BUILDAH} --root ${q(join(dir, 'root'))} --runroot ${q(join(dir, 'run'))} --storage-driver overlay`;
    await sh(`${buildah} pull -q --tls-verify=false ${q(ctx.base)} >/dev/null`);
    return {
      id: 'buildah',
      label: 'buildah',
      version: (await firstLine(BUILDAH, ['--version'])) ?? 'buildah ?',
      build: (r) =>
        `${buildah} bud --layers --runtime runc --network none -q -t ${q(r.tag)} --build-arg BASE=${q(r.base)} ${q(r.context)}`,
      // The docker-archive transport stores layers uncompressed, as docker save does.
      exportImage: (tag, dest, compression) =>
        compression === 'none'
          ? { command: `${buildah} push -q ${q(tag)} docker-archive:${q(dest)}:${q(tag)}` }
          : { unsupported: 'docker-archive holds uncompressed layers only' },
      async reset(tags) {
        // --layers caches intermediate images: untag the results, then prune what is left unnamed.
        const rmi = tags.length > 0 ? `${buildah} rmi -f ${tags.map(q).join(' ')} >/dev/null 2>&1;` : '';
        await sh(`${rmi} ${buildah} rmi --prune >/dev/null 2>&1; ${buildah} rm -a >/dev/null 2>&1; true`);
      },
      daemons: () => [],
      async stop() {
        await sh(`${buildah} rmi -a -f >/dev/null 2>&1; true`);
        await sh(`umount -R ${q(join(dir, 'root', 'overlay'))} 2>/dev/null; true`);
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};
