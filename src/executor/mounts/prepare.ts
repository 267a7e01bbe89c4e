/** Turns RUN --mount requests into OCI mounts plus the setup they need in the private namespace. */
import type { MountRequest } from '../types.ts';
import { addBindMount } from './bind.ts';
import { type BuiltMounts, createMountBuilder } from './builder.ts';
import { addCacheMount } from './cache.ts';
import { addSecretMount } from './secret.ts';
import { addSshMount } from './ssh.ts';
import { addTmpfsMount } from './tmpfs.ts';

export interface MountContext {
  readonly root: string;
  readonly bundleDir: string;
  readonly signal: AbortSignal | undefined;
}

export async function prepareMounts(
  requests: readonly MountRequest[],
  context: MountContext,
): Promise<BuiltMounts> {
  const builder = createMountBuilder(context.root, context.bundleDir, context.signal);
  const sshSockets: string[] = [];
  try {
    for (const request of requests) {
      switch (request.type) {
        case 'bind':
          await addBindMount(builder, request);
          break;
        case 'cache':
          await addCacheMount(builder, request);
          break;
        case 'tmpfs':
          addTmpfsMount(builder, request);
          break;
        case 'secret':
          await addSecretMount(builder, request);
          break;
        case 'ssh': {
          const socket = await addSshMount(builder, request, sshSockets.length);
          if (socket !== undefined) sshSockets.push(socket);
          break;
        }
      }
    }
  } catch (error) {
    await builder.build().release();
    throw error;
  }
  // As in BuildKit, the first forwarded agent is the one ssh clients find by default.
  if (sshSockets[0] !== undefined) builder.addEnv(`SSH_AUTH_SOCK=${sshSockets[0]}`);
  return builder.build();
}
