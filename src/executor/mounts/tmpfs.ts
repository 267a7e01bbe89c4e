/** RUN --mount=type=tmpfs: a fresh memory-backed dir, gone with the step. */
import type { TmpfsMountRequest } from '../types.ts';
import type { MountBuilder } from './builder.ts';

export function addTmpfsMount(builder: MountBuilder, request: TmpfsMountRequest): void {
  builder.addMount({
    destination: request.target,
    type: 'tmpfs',
    source: 'tmpfs',
    options: [
      'nosuid',
      'nodev',
      'mode=1777',
      ...(request.sizeBytes !== undefined ? [`size=${request.sizeBytes}`] : []),
    ],
  });
}
