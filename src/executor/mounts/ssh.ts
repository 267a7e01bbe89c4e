/**
 * RUN --mount=type=ssh: a socket in the bundle that forwards each connection to the host's agent
 * socket, owned and moded as the mount asks, bind-mounted into the container; SSH_AUTH_SOCK
 * points at it. The agent itself is never exposed beyond the step.
 */
import { chmod, chown } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { TsbuildError } from '../../errors.ts';
import type { SshMountRequest } from '../types.ts';
import type { MountBuilder } from './builder.ts';

/** Where the n-th ssh mount without a target goes, as in BuildKit. */
export function defaultSshTarget(index: number): string {
  return `/run/buildkit/ssh_agent.${index}`;
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Returns the socket's path in the container, or undefined when an optional agent was not forwarded. */
export async function addSshMount(
  builder: MountBuilder,
  request: SshMountRequest,
  index: number,
): Promise<string | undefined> {
  const id = request.id ?? 'default';
  if (request.socket === undefined) {
    if (request.required === true) {
      throw new TsbuildError(
        'EXECUTOR',
        `SSH agent ${id} is required by RUN --mount=type=ssh but was not forwarded`,
        {
          hint: `Pass it to the build: --ssh ${id}=$SSH_AUTH_SOCK`,
        },
      );
    }
    return undefined;
  }
  const agent = request.socket;
  const path = join(await builder.scratchDir('ssh'), 'agent.sock');
  const server = createServer((client) => {
    const upstream = connect(agent);
    client.pipe(upstream).pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
  });
  await listen(server, path);
  builder.onRelease(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await chmod(path, request.mode ?? 0o600);
  await chown(path, request.uid ?? 0, request.gid ?? 0);
  const target = request.target ?? defaultSshTarget(index);
  builder.addMount(
    { destination: target, type: 'bind', source: path, options: ['rbind', 'rprivate'] },
    'file',
  );
  return target;
}
