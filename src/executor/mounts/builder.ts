/**
 * What preparing RUN --mount mounts accumulates: OCI mounts, setup-script lines, secret inputs
 * (passed to the script through fds so they never touch the disk), extra env, and cleanups.
 */
import { mkdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { TsbuildError } from '../../errors.ts';
import { inputFd } from '../container.ts';
import { shellQuote } from '../private-ns.ts';
import { lookupInLayers } from '../snapshot/lookup.ts';
import { snapshotsDir } from '../snapshot/meta.ts';
import { fitsOneMount, overlayOptions } from '../snapshot/overlay-options.ts';
import type { OciMount } from '../spec/oci.ts';
import type { MountSource } from '../types.ts';

export interface MountBuilder {
  readonly root: string;
  readonly signal: AbortSignal | undefined;
  /** A fresh dir inside the bundle for one mount's own files. */
  scratchDir(name: string): Promise<string>;
  /** `file`: the target is a file (a secret, a socket, a bound file), so its mount point is one too. */
  addMount(mount: OciMount, targetKind?: 'file' | 'directory'): void;
  addSetup(...lines: string[]): void;
  /** Queues data for the setup script; returns the fd it can read it from. */
  addInput(data: Uint8Array): number;
  addEnv(entry: string): void;
  onRelease(cleanup: () => Promise<void>): void;
}

export interface BuiltMounts {
  readonly mounts: readonly OciMount[];
  /** Destinations whose mount point is a file rather than a directory. */
  readonly fileTargets: readonly string[];
  readonly setup: readonly string[];
  readonly inputs: readonly Uint8Array[];
  readonly env: readonly string[];
  release(): Promise<void>;
}

export function createMountBuilder(
  root: string,
  bundleDir: string,
  signal: AbortSignal | undefined,
): MountBuilder & { build(): BuiltMounts } {
  const mounts: OciMount[] = [];
  const fileTargets: string[] = [];
  const setup: string[] = [];
  const inputs: Uint8Array[] = [];
  const env: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  let counter = 0;
  return {
    root,
    signal,
    async scratchDir(name: string): Promise<string> {
      counter += 1;
      const dir = join(bundleDir, 'mounts', `${counter}-${name}`);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return dir;
    },
    addMount(mount: OciMount, targetKind: 'file' | 'directory' = 'directory'): void {
      mounts.push(mount);
      if (targetKind === 'file') fileTargets.push(mount.destination);
    },
    addSetup: (...lines) => setup.push(...lines),
    addInput(data: Uint8Array): number {
      inputs.push(data);
      return inputFd(inputs.length - 1);
    },
    addEnv: (entry) => env.push(entry),
    onRelease: (cleanup) => cleanups.push(cleanup),
    build(): BuiltMounts {
      return {
        mounts,
        fileTargets,
        setup,
        inputs,
        env,
        async release(): Promise<void> {
          // Every cleanup runs even if one fails; the first failure is reported.
          const results = await Promise.allSettled(cleanups.reverse().map((cleanup) => cleanup()));
          const failed = results.find((result) => result.status === 'rejected');
          if (failed !== undefined) throw failed.reason;
        },
      };
    },
  };
}

export interface SourcePath {
  /** Host path the runtime binds from: a real path, or one under a mount made by `setup`. */
  readonly hostPath: string;
  readonly type: 'directory' | 'file' | 'symlink' | 'other';
  /** Lines for a script in a private mount namespace that make `hostPath` exist. */
  readonly setup: readonly string[];
}

/**
 * Makes `source` inside `from` (a plain dir or a snapshot chain) available on the host: directly
 * when `from` is one dir and nothing may be written, else through an overlay mounted by a setup
 * script (with a throwaway upper dir when writes are allowed, so they are discarded).
 */
export async function exposeSource(
  builder: MountBuilder,
  from: MountSource,
  source: string | undefined,
  writable: boolean,
  what: string,
): Promise<SourcePath> {
  if (from.length === 0) {
    throw new TsbuildError('EXECUTOR', `${what}: no source files were given to mount`);
  }
  const found = await lookupInLayers(from, source ?? '/');
  if (found.kind !== 'found') {
    throw new TsbuildError('EXECUTOR', `${what}: source path ${source ?? '/'} does not exist`, {
      hint: 'Check the source= path of the mount against the context, stage or image it reads from.',
    });
  }
  if (from.length === 1 && !writable) return { hostPath: found.hostPath, type: found.type, setup: [] };
  const dir = await builder.scratchDir('overlay');
  const merged = join(dir, 'merged');
  await mkdir(merged);
  let layout: { lowerDirs: readonly string[]; upperDir?: string; workDir?: string } = { lowerDirs: from };
  if (writable) {
    const upperDir = join(dir, 'upper');
    const workDir = join(dir, 'work');
    await Promise.all([mkdir(upperDir), mkdir(workDir)]);
    layout = { lowerDirs: from, upperDir, workDir };
  }
  const base = snapshotsDir(builder.root);
  if (!fitsOneMount(base, layout)) {
    throw new TsbuildError('EXECUTOR', `${what}: the source has too many layers to mount`, {
      hint: 'Mount from a stage or image with fewer layers.',
    });
  }
  const options = shellQuote(overlayOptions(base, layout));
  return {
    hostPath: posix.join(merged, found.path),
    type: found.type,
    setup: [`(cd ${shellQuote(base)} && mount -t overlay overlay -o ${options} ${shellQuote(merged)})`],
  };
}
