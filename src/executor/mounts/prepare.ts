/** Turns RUN --mount requests into OCI mounts plus the setup they need in the private namespace. */
import { TsbuildError } from '../../errors.ts';
import type { OciMount } from '../spec/oci.ts';
import type { MountRequest } from '../types.ts';

export interface MountContext {
  readonly root: string;
  readonly bundleDir: string;
  readonly signal: AbortSignal | undefined;
}

export interface PreparedMounts {
  readonly mounts: readonly OciMount[];
  readonly setup: readonly string[];
  /** Data for the setup script's input fds (see container.ts), in order. */
  readonly inputs: readonly Uint8Array[];
  readonly env: readonly string[];
  release(): Promise<void>;
}

export async function prepareMounts(
  requests: readonly MountRequest[],
  _context: MountContext,
): Promise<PreparedMounts> {
  if (requests.length > 0) {
    throw new TsbuildError('EXECUTOR', 'RUN --mount is not supported by this executor yet', {
      hint: 'Remove the --mount flag from the RUN instruction.',
    });
  }
  return { mounts: [], setup: [], inputs: [], env: [], release: async () => {} };
}
