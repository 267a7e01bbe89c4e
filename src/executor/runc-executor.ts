/**
 * The RUN executor: one container per step through runc (or crun), rootfs = the step's active
 * snapshot, everything mounted inside a private mount namespace. Cleans up after itself on
 * success, failure and cancellation; what a SIGKILL leaves behind is removed by sweep().
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { TsbuildError } from '../errors.ts';
import { findMountStubs } from './artifacts.ts';
import { launchContainer } from './container.ts';
import { explainFailure } from './failure-notes.ts';
import { nofileLimit } from './limits.ts';
import type { BuiltMounts } from './mounts/builder.ts';
import { prepareMounts } from './mounts/prepare.ts';
import { createOutputTail } from './output-tail.ts';
import { currentOwner } from './owner.ts';
import { runDir, runtimeStateDir } from './paths.ts';
import { planCopyRootfs, planOverlayRootfs } from './rootfs.ts';
import { type Runtime, type RuntimeChoice, resolveRuntime } from './runtime.ts';
import { DEFAULT_HOSTNAME } from './spec/defaults.ts';
import { hostnameFile, hostsFile, resolvConfFile } from './spec/etc-files.ts';
import { generateSpec } from './spec/generate.ts';
import type { BundleOwner } from './sweep.ts';
import type { ExecRequest, Executor, RunOptions, RunResult } from './types.ts';
import { resolveUser } from './user.ts';
import { planWorkdir } from './workdir.ts';

export interface RuncExecutorOptions {
  readonly root: string;
  /** `runc` (default), `crun`, or the path of an OCI runtime binary. */
  readonly runtime?: RuntimeChoice;
  /** Most lower layers in one overlay mount before the chain is flattened (default: the kernel's 500). */
  readonly maxMountLayers?: number;
}

const OUTPUT_LINES_IN_ERROR = 20;

/** The generated /etc files: their place in the container and their name in the bundle. */
const ETC_FILES = {
  '/etc/hosts': 'hosts',
  '/etc/resolv.conf': 'resolv.conf',
  '/etc/hostname': 'hostname',
} as const;

let sequence = 0;

function containerId(): string {
  sequence += 1;
  return `tsb-${process.pid}-${sequence}-${randomBytes(3).toString('hex')}`;
}

/** Entries of `overrides` replace those of `env` with the same name. */
function mergeEnv(env: readonly string[], overrides: readonly string[]): string[] {
  const name = (entry: string): string => entry.split('=', 1)[0] ?? entry;
  const replaced = new Set(overrides.map(name));
  return [...env.filter((entry) => !replaced.has(name(entry))), ...overrides];
}

/** As Docker prints it in `process "..." did not complete successfully`. */
/** Longest command shown in an error: a hostile RUN may be megabytes long. */
const COMMAND_IN_ERROR = 200;

/** The command as an error shows it: control characters escaped (no terminal tricks), long ones cut. */
function describeCommand(args: readonly string[]): string {
  const text = args
    .join(' ')
    .replace(
      /[\u0000-\u0008\u000b-\u001f\u007f]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    );
  return text.length > COMMAND_IN_ERROR
    ? `${text.slice(0, COMMAND_IN_ERROR)}… (${text.length} characters)`
    : text;
}

async function hostResolvConf(): Promise<string | undefined> {
  try {
    return await readFile('/etc/resolv.conf', 'utf8');
  } catch {
    return undefined;
  }
}

export function createRuncExecutor(options: RuncExecutorOptions): Executor {
  const { root } = options;
  let runtime: Promise<Runtime> | undefined;

  async function run(request: ExecRequest, runOptions: RunOptions = {}): Promise<RunResult> {
    runtime ??= resolveRuntime(options.runtime ?? 'runc');
    const resolvedRuntime = await runtime;
    const { signal, onOutput } = runOptions;
    if (signal?.aborted)
      throw new TsbuildError('CANCELLED', `RUN ${describeCommand(request.args)} was cancelled`);

    const snapshot = request.snapshot;
    const layers = [snapshot.upperDir, ...snapshot.lowerDirs];
    const user = await resolveUser(layers, request.user);
    const cwd = posix.normalize(posix.join('/', request.cwd || '/'));
    const id = containerId();
    const bundleDir = join(runDir(root), id);
    await mkdir(runtimeStateDir(root), { recursive: true });
    await mkdir(bundleDir, { mode: 0o700 });
    const owner: BundleOwner = { ...currentOwner(), runtime: resolvedRuntime.path };
    await writeFileAtomic(join(bundleDir, 'owner.json'), JSON.stringify(owner));

    let mounts: BuiltMounts | undefined;
    try {
      mounts = await prepareMounts(request.mounts ?? [], { root, bundleDir, signal });
      const rootfs =
        snapshot.kind === 'copy'
          ? await planCopyRootfs(snapshot, bundleDir)
          : await planOverlayRootfs(root, snapshot, bundleDir, options.maxMountLayers);
      const workdir = await planWorkdir(layers, cwd, rootfs.path, user);
      const hostname = request.hostname ?? DEFAULT_HOSTNAME;
      const etcFiles = {
        hosts: join(bundleDir, ETC_FILES['/etc/hosts']),
        resolvConf: join(bundleDir, ETC_FILES['/etc/resolv.conf']),
        hostname: join(bundleDir, ETC_FILES['/etc/hostname']),
      };
      await writeFile(etcFiles.hosts, hostsFile(hostname));
      await writeFile(etcFiles.resolvConf, resolvConfFile(request.network, await hostResolvConf()));
      await writeFile(etcFiles.hostname, hostnameFile(hostname));
      const spec = generateSpec({
        args: request.args,
        env: mergeEnv(request.env, mounts.env),
        cwd,
        user,
        hostname,
        network: request.network,
        rootfs: rootfs.path,
        etcFiles,
        mounts: mounts.mounts,
        limits: request.limits,
        cgroupsPath: `/tsbuild/${id}`,
        nofile: await nofileLimit(),
      });

      const fileTargets = new Set([...Object.keys(ETC_FILES), ...mounts.fileTargets]);
      const found = await findMountStubs(
        layers,
        spec.mounts.map((mount) => ({
          destination: mount.destination,
          kind: fileTargets.has(mount.destination) ? 'file' : 'directory',
        })),
      );
      // The working directory is the step's: it stays even when a mount target lies inside it.
      const keep = new Set(workdir.created);
      const stubs = { ...found, created: found.created.filter((stub) => !keep.has(stub.path)) };
      await rootfs.beforeLaunch(stubs);
      const tail = createOutputTail();
      const result = await launchContainer({
        runtime: resolvedRuntime,
        stateRoot: runtimeStateDir(root),
        bundleDir,
        containerId: id,
        spec,
        setup: [...rootfs.setup, ...workdir.setup, ...mounts.setup],
        inputs: mounts.inputs,
        signal,
        onOutput: (stream, chunk) => {
          tail.push(chunk);
          onOutput?.(stream, chunk);
        },
      });
      await rootfs.finish(stubs, result.kind === 'exited' ? 'exited' : 'interrupted');

      const command = describeCommand(request.args);
      if (result.kind === 'cancelled') {
        throw new TsbuildError('CANCELLED', `RUN ${command} was cancelled; its container was killed`);
      }
      if (result.kind === 'setup-failed') {
        throw new TsbuildError(
          'EXECUTOR',
          `Could not prepare the container for RUN ${command}: ${result.message}`,
          {
            hint: 'tsbuild needs root, overlayfs and util-linux (unshare, mount); see the message above.',
          },
        );
      }
      if (result.exitCode !== 0 && runOptions.allowFailure !== true) {
        const lines = tail.lines(OUTPUT_LINES_IN_ERROR);
        const output = lines.length > 0 ? `\nlast ${lines.length} lines of output:\n${lines.join('\n')}` : '';
        const why = await explainFailure(result.exitCode, request.snapshot.upperDir, request.limits);
        throw new TsbuildError(
          'RUN_FAILED',
          `process "${command}" did not complete successfully: exit code: ${result.exitCode}${why === undefined ? '' : `; ${why.note}`}${output}`,
          why === undefined ? {} : { hint: why.hint },
        );
      }
      return { exitCode: result.exitCode };
    } finally {
      await mounts?.release();
      await rm(bundleDir, { recursive: true, force: true });
    }
  }

  return { run } satisfies Executor;
}
