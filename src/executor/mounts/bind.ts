/** RUN --mount=type=bind: files from the context, a stage or an image; read-only unless rw, writes discarded. */
import type { BindMountRequest } from '../types.ts';
import { exposeSource, type MountBuilder } from './builder.ts';

export async function addBindMount(builder: MountBuilder, request: BindMountRequest): Promise<void> {
  const writable = request.readwrite === true;
  const source = await exposeSource(
    builder,
    request.from,
    request.source,
    writable,
    `bind mount on ${request.target}`,
  );
  builder.addSetup(...source.setup);
  builder.addMount(
    {
      destination: request.target,
      type: 'bind',
      source: source.hostPath,
      options: ['rbind', 'rprivate', writable ? 'rw' : 'ro'],
    },
    source.type === 'directory' ? 'directory' : 'file',
  );
}
