/**
 * `tsbuild run`: a container from an image with docker run's CMD, ENTRYPOINT,
 * ENV, WORKDIR and USER semantics, on the host network. tsbuild is a
 * builder, not a container manager: the container's writable layer is always
 * discarded when it exits (`--rm` is accepted and implied).
 */
import { openServices } from './builder/services.ts';
import { withLease } from './cache/index.ts';
import { TsbuildError } from './errors.ts';
import { resolveImage } from './image/index.ts';
import { ensureSnapshot } from './ops/rootfs.ts';
import type { OpServices } from './ops/services.ts';
import { imageState } from './ops/source.ts';

export interface RunOptions {
  readonly root?: string;
  readonly runtime?: string;
  readonly image: string;
  /** Replaces the image's CMD when non-empty. */
  readonly command?: readonly string[];
  /** Replaces the image's ENTRYPOINT when set ('' clears it). */
  readonly entrypoint?: string;
  /** Extra `KEY=VALUE` entries, after the image's. */
  readonly env?: readonly string[];
  readonly workdir?: string;
  readonly user?: string;
  readonly network?: 'host' | 'none';
  readonly signal?: AbortSignal;
  readonly onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

export async function runImage(options: RunOptions): Promise<number> {
  const services = await openServices({
    ...(options.root !== undefined && { root: options.root }),
    ...(options.runtime !== undefined && { runtime: options.runtime }),
  });
  // The image's unpacked snapshot may be new and is in no cache record: the lease keeps GC off it.
  return withLease(services.root, () => runIn(services, options));
}

async function runIn(services: OpServices, options: RunOptions): Promise<number> {
  const resolved = await resolveImage(services.store, options.image);
  const config = resolved.config.config ?? {};
  const entrypoint =
    options.entrypoint === undefined
      ? [...(config.Entrypoint ?? [])]
      : options.entrypoint === ''
        ? []
        : [options.entrypoint];
  const cmd =
    options.command !== undefined && options.command.length > 0
      ? [...options.command]
      : [...(config.Cmd ?? [])];
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) {
    throw new TsbuildError('USAGE', `image ${options.image} has no CMD or ENTRYPOINT`, {
      hint: 'give a command after the image name',
    });
  }
  const state = await imageState(services, resolved.manifestDescriptor.digest);
  const snapshot = await services.snapshotter.prepare(await ensureSnapshot(services, state));
  try {
    const user = options.user ?? config.User;
    const result = await services.executor.run(
      {
        snapshot,
        args,
        env: [...(config.Env ?? []), ...(options.env ?? [])],
        cwd: options.workdir ?? (config.WorkingDir || '/'),
        ...(user !== undefined && user !== '' && { user }),
        network: options.network ?? 'host',
      },
      {
        ...(options.signal !== undefined && { signal: options.signal }),
        ...(options.onOutput !== undefined && { onOutput: options.onOutput }),
        allowFailure: true,
      },
    );
    return result.exitCode;
  } finally {
    await snapshot.abort();
  }
}
