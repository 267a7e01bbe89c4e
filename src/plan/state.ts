/**
 * The mutable state of one stage while its instructions are lowered: the
 * image config so far, the declared build args, and the steps produced.
 * Lowering functions receive it, read the environment through `lookup`, and
 * append steps; `freeze` turns it into the readonly `ConfigState`.
 */
import type { Diagnostic, Range } from '../parser/ast.ts';
import type { ArgUsage } from './args.ts';
import type { ConfigState, HealthcheckConfig, Platform, SourceRef, Step } from './types.ts';

export const DEFAULT_SHELL: readonly string[] = ['/bin/sh', '-c'];
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface MutableConfig {
  env: Map<string, string>;
  user?: string;
  workingDir?: string;
  cmd?: readonly string[];
  entrypoint?: readonly string[];
  exposedPorts: Set<string>;
  labels: Map<string, string>;
  volumes: Set<string>;
  stopSignal?: string;
  healthcheck?: HealthcheckConfig;
  shell?: readonly string[];
  onBuild: string[];
  argsEscaped?: boolean;
  author?: string;
}

export interface StageState {
  readonly index: number;
  readonly file: string;
  readonly escape: '\\' | '`';
  readonly platform: Platform;
  readonly config: MutableConfig;
  /** True once the stage set CMD itself (ENTRYPOINT clears an inherited CMD only). */
  cmdSetHere: boolean;
  /** Declared build args in order; undefined value = declared without one. */
  readonly args: Map<string, string | undefined>;
  /**
   * The environment build steps see and words expand with: the config's ENV
   * plus declared ARGs with a value, in one map where the latest ENV or ARG of
   * a name wins (BuildKit keeps both in one state environment). ARGs never
   * reach the image config.
   */
  readonly buildEnv: Map<string, string>;
  readonly usage: ArgUsage;
  /** Global ARG values, inherited by a bare `ARG name` in the stage. */
  readonly metaArgs: ReadonlyMap<string, string>;
  readonly steps: Step[];
  readonly warnings: Diagnostic[];
  /** Resolves `--from` / `from=` to a stage or an image reference (set by the planner). */
  readonly resolveFrom: (name: string, range: Range) => SourceRef;
}

export function configFromState(state: ConfigState): MutableConfig {
  return {
    env: new Map(state.env),
    ...(state.user !== undefined && { user: state.user }),
    ...(state.workingDir !== undefined && { workingDir: state.workingDir }),
    ...(state.cmd !== undefined && { cmd: state.cmd }),
    ...(state.entrypoint !== undefined && { entrypoint: state.entrypoint }),
    exposedPorts: new Set(state.exposedPorts),
    labels: new Map(state.labels),
    volumes: new Set(state.volumes),
    ...(state.stopSignal !== undefined && { stopSignal: state.stopSignal }),
    ...(state.healthcheck !== undefined && { healthcheck: state.healthcheck }),
    ...(state.shell !== undefined && { shell: state.shell }),
    onBuild: [...state.onBuild],
    ...(state.argsEscaped !== undefined && { argsEscaped: state.argsEscaped }),
    ...(state.author !== undefined && { author: state.author }),
  };
}

export function freezeConfig(c: MutableConfig): ConfigState {
  return {
    env: [...c.env],
    ...(c.user !== undefined && { user: c.user }),
    ...(c.workingDir !== undefined && { workingDir: c.workingDir }),
    ...(c.cmd !== undefined && { cmd: c.cmd }),
    ...(c.entrypoint !== undefined && { entrypoint: c.entrypoint }),
    exposedPorts: [...c.exposedPorts],
    labels: [...c.labels],
    volumes: [...c.volumes],
    ...(c.stopSignal !== undefined && { stopSignal: c.stopSignal }),
    ...(c.healthcheck !== undefined && { healthcheck: c.healthcheck }),
    ...(c.shell !== undefined && { shell: c.shell }),
    onBuild: [...c.onBuild],
    ...(c.argsEscaped !== undefined && { argsEscaped: c.argsEscaped }),
    ...(c.author !== undefined && { author: c.author }),
  };
}

/** What FROM scratch starts with, as BuildKit's empty image: the default PATH, working dir `/`. */
export const EMPTY_CONFIG: ConfigState = {
  env: [['PATH', DEFAULT_PATH]],
  workingDir: '/',
  exposedPorts: [],
  labels: [],
  volumes: [],
  onBuild: [],
};

/** The environment instructions expand with. */
export function lookup(state: StageState): (name: string) => string | undefined {
  return (name) => state.buildEnv.get(name);
}

/**
 * The declared args as RUN's history shows them (`|2 A=1 B=`): each name once,
 * in the order first declared, with the value the build environment has for it now.
 */
export function declaredArgValues(state: StageState): [string, string][] {
  return [...state.args.keys()].map((name) => [name, state.buildEnv.get(name) ?? '']);
}

export function currentShell(state: StageState): readonly string[] {
  return state.config.shell ?? DEFAULT_SHELL;
}

export function currentWorkdir(state: StageState): string {
  return state.config.workingDir ?? '/';
}
