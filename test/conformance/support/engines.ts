/**
 * The two engines of the differential test behind one interface: docker's
 * BuildKit (a private dockerd, `DOCKER_BUILDKIT=1 docker build`) and
 * tsbuild (the library's Builder). Each builds a case and writes the image
 * as a docker-format archive, which archive.ts reads the same way for both.
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createBuilder, importImage, save } from '../../../src/index.ts';
import type { Dockerd } from '../../support/dockerd.ts';
import { DOCKER_CLIENT } from '../../support/dockerd.ts';
import type { ConformanceCase } from './cases.ts';

const run = promisify(execFile);

/** The base image every case builds FROM, identical (same layer, same config) in both engines. */
export const BASE_IMAGE = 'busybox:local';

export interface BuildRequest {
  readonly case: ConformanceCase;
  /** The prepared scratch context. */
  readonly context: string;
  /** Where to write the docker-format archive of the built image. */
  readonly archive: string;
}

export interface Engine {
  readonly name: string;
  /** Builds the case and saves its image to `request.archive`. */
  build(request: BuildRequest): Promise<void>;
  close(): Promise<void>;
}

function imageName(c: ConformanceCase): string {
  return `conformance/${c.name}:latest`;
}

function tagsOf(c: ConformanceCase): string[] {
  return [imageName(c), ...(c.spec.tag === undefined ? [] : [c.spec.tag])];
}

/**
 * tsbuild with its store in `root`; the base image is imported from the
 * busybox rootfs tarball and also saved to `baseArchive` for docker to load.
 */
export async function createTsbuildEngine(
  root: string,
  rootfsTar: string,
  baseArchive: string,
): Promise<Engine> {
  await importImage(rootfsTar, BASE_IMAGE, { root });
  const out = createWriteStream(baseArchive);
  await save([BASE_IMAGE], out, { root, format: 'docker', compression: 'none' });
  out.end();
  await finished(out);
  const builder = await createBuilder({ root });
  return {
    name: 'tsbuild',
    build: async ({ case: c, context, archive }) => {
      const dockerfile = join(context, 'Dockerfile');
      await builder.build({
        context,
        dockerfile,
        tags: tagsOf(c),
        ...(c.spec.buildArgs !== undefined && { buildArgs: c.spec.buildArgs }),
        ...(c.spec.target !== undefined && { target: c.spec.target }),
        secrets: Object.entries(c.spec.secrets ?? {}).map(([id, file]) => ({ id, src: join(context, file) })),
      });
      const file = createWriteStream(archive);
      await save([imageName(c)], file, { root, format: 'docker', compression: 'none' });
      file.end();
      await finished(file);
    },
    close: () => builder.close(),
  };
}

/** docker's BuildKit on a private dockerd that already holds the base image. */
export function createDockerEngine(dockerd: Dockerd): Engine {
  const docker = (args: readonly string[]) =>
    run(DOCKER_CLIENT, ['-H', dockerd.host, ...args], {
      env: { ...process.env, DOCKER_BUILDKIT: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
  return {
    name: 'docker',
    build: async ({ case: c, context, archive }) => {
      const dockerfile = join(context, c.spec.dockerDockerfile ?? 'Dockerfile');
      const args = ['build', '--network', 'host', '--progress', 'plain', '-f', dockerfile];
      for (const t of tagsOf(c)) args.push('-t', t);
      for (const [k, v] of Object.entries(c.spec.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
      if (c.spec.target !== undefined) args.push('--target', c.spec.target);
      for (const [id, file] of Object.entries(c.spec.secrets ?? {})) {
        args.push('--secret', `id=${id},src=${join(context, file)}`);
      }
      try {
        await docker([...args, context]);
      } catch (err) {
        // The plain progress output names the failing step; keep its tail.
        const stderr = (err as { stderr?: string }).stderr ?? '';
        throw new Error(`docker build of ${c.name} failed:\n${stderr.slice(-3000)}`);
      }
      await docker(['save', '-o', archive, imageName(c)]);
    },
    close: async () => undefined,
  };
}
