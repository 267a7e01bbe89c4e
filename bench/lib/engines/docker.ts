/**
 * Docker 20.10 (Debian's docker.io) with BuildKit and with the legacy builder, both against one
 * private dockerd (own data root and socket, no bridge or iptables changes; see
 * test/support/dockerd.ts). The client is Debian's /usr/bin/docker: a newer client earlier on
 * PATH needs buildx for BuildKit.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DOCKER_CLIENT, type Dockerd, dockerAvailable, startDockerd } from '../../../test/support/dockerd.ts';
import { firstLine, q, sh } from '../shell.ts';
import type { BuildRequest, Engine, EngineContext, EngineFactory, EngineId } from './types.ts';

interface Shared {
  readonly dockerd: Dockerd;
  readonly docker: string;
  readonly version: string;
  readonly pid: () => number | undefined;
  users: number;
}

let shared: Promise<Shared> | undefined;

async function acquire(ctx: EngineContext): Promise<Shared> {
  shared ??= (async () => {
    const dockerd = await startDockerd();
    const docker = `${DOCKER_CLIENT} -H ${q(dockerd.host)}`;
    const pidFile = join(dirname(dockerd.host.replace(/^unix:\/\//, '')), 'dockerd.pid');
    await sh(`${docker} pull -q ${q(ctx.base)}`);
    const server = await firstLine(DOCKER_CLIENT, [
      '-H',
      dockerd.host,
      'version',
      '--format',
      '{{.Server.Version}}',
    ]);
    return {
      dockerd,
      docker,
      version: `docker ${server ?? '?'} (client ${(await firstLine(DOCKER_CLIENT, ['--version'])) ?? '?'})`,
      pid: () => {
        try {
          return Number(readFileSync(pidFile, 'utf8').trim());
        } catch {
          return undefined;
        }
      },
      users: 0,
    };
  })();
  const s = await shared;
  s.users += 1;
  return s;
}

async function release(s: Shared): Promise<void> {
  s.users -= 1;
  if (s.users > 0) return;
  shared = undefined;
  await s.dockerd.stop();
}

function dockerFactory(id: EngineId, label: string, buildkit: '1' | '0'): EngineFactory {
  return {
    id,
    unavailable: () => Promise.resolve(dockerAvailable()),
    async start(ctx: EngineContext): Promise<Engine> {
      const s = await acquire(ctx);
      const docker = s.docker;
      const build = (r: BuildRequest) =>
        `DOCKER_BUILDKIT=${buildkit} ${docker} build --network none -q -t ${q(r.tag)} --build-arg BASE=${q(r.base)} ${q(r.context)}`;
      return {
        id,
        label,
        version: s.version,
        build,
        exportImage: (tag, dest, compression) =>
          compression === 'none'
            ? { command: `${docker} save -o ${q(dest)} ${q(tag)}` }
            : { unsupported: 'docker save writes uncompressed layers only' },
        async reset(tags) {
          const rmi = tags.length > 0 ? `${docker} rmi -f ${tags.map(q).join(' ')} >/dev/null 2>&1;` : '';
          // BuildKit keeps its cache apart from images; the legacy builder's cache is the
          // intermediate images, which rmi of the tags and a dangling-image prune remove.
          await sh(
            buildkit === '1'
              ? `${rmi} ${docker} builder prune -af >/dev/null`
              : `${rmi} ${docker} image prune -f >/dev/null`,
          );
        },
        daemons: () => {
          const pid = s.pid();
          return pid === undefined ? [] : [pid];
        },
        stop: () => release(s),
      };
    },
  };
}

export const buildkitFactory = dockerFactory('buildkit', 'docker BuildKit', '1');
export const dockerLegacyFactory = dockerFactory('docker-legacy', 'docker legacy builder', '0');
