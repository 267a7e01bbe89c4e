/**
 * The planner: a parsed Dockerfile plus build args and a target become a
 * BuildPlan — the stages the target needs, in order, each with the steps that
 * make layers and the image config it ends with.
 */
import { TsbuildError } from '../errors.ts';
import type { Diagnostic, Dockerfile, Instruction, Range } from '../parser/ast.ts';
import { parseDockerfile } from '../parser/index.ts';
import { createArgUsage, declareArg, formatPlatform, platformArgs, unusedBuildArgs } from './args.ts';
import { expandWith } from './expand.ts';
import { buildOrder, describe, lookupStage, type RawStage, scanStages } from './graph.ts';
import {
  lowerArg,
  lowerCmd,
  lowerEntrypoint,
  lowerEnv,
  lowerExpose,
  lowerHealthcheck,
  lowerLabel,
  lowerMaintainer,
  lowerOnbuild,
  lowerShell,
  lowerStopsignal,
  lowerUser,
  lowerVolume,
} from './lower/config.ts';
import { lowerCopy, lowerWorkdir } from './lower/copy.ts';
import { lowerRun } from './lower/run.ts';
import { configFromState, DEFAULT_PATH, EMPTY_CONFIG, freezeConfig, type StageState } from './state.ts';
import type {
  BuildPlan,
  ConfigState,
  ImageResolver,
  Platform,
  ResolvedImage,
  SourceRef,
  StageBase,
  StagePlan,
} from './types.ts';

export { formatPlatform } from './args.ts';
export { outline } from './outline.ts';
export type * from './types.ts';

export interface PlanOptions {
  /** The Dockerfile's name as the user knows it, for error locations. */
  readonly file?: string;
  readonly buildArgs?: ReadonlyMap<string, string>;
  /** Stage name to build; the last stage when absent. */
  readonly target?: string;
  readonly platform: Platform;
  readonly resolveImage: ImageResolver;
}

const STAGE_NAME = /^[a-z][a-z0-9_.-]*$/;

function planError(file: string, range: Range, message: string, hint?: string): TsbuildError {
  return new TsbuildError('DF_PLAN', message, {
    location: { file, line: range.start.line, column: range.start.column },
    ...(hint !== undefined && { hint }),
  });
}

function splitStages(df: Dockerfile, file: string): { globals: Instruction[]; stages: RawStage[] } {
  const globals: Instruction[] = [];
  const stages: {
    index: number;
    from: Instruction & { kind: 'FROM' };
    name?: string;
    instructions: Instruction[];
  }[] = [];
  for (const ins of df.instructions) {
    if (ins.kind === 'FROM') {
      const name = ins.stageName?.toLowerCase();
      if (name !== undefined && !STAGE_NAME.test(name)) {
        throw planError(
          file,
          ins.range,
          `invalid stage name "${ins.stageName}"`,
          'stage names start with a letter and use letters, digits, "-", "_" and "."',
        );
      }
      const dup = stages.find((s) => name !== undefined && s.name === name);
      if (dup !== undefined) {
        throw planError(
          file,
          ins.range,
          `duplicate stage name "${name}" (first used on line ${dup.from.range.start.line})`,
          'give each stage its own name',
        );
      }
      stages.push({ index: stages.length, from: ins, ...(name !== undefined && { name }), instructions: [] });
    } else if (stages.length === 0) {
      if (ins.kind !== 'ARG') {
        throw planError(
          file,
          ins.range,
          `${ins.kind} before the first FROM`,
          'only ARG may come before the first FROM',
        );
      }
      globals.push(ins);
    } else {
      stages[stages.length - 1]!.instructions.push(ins);
    }
  }
  if (stages.length === 0) {
    throw new TsbuildError('DF_PLAN', `${file} has no FROM instruction`, {
      // Nothing to point at but the file itself: its start.
      location: { file, line: 1, column: 1 },
      hint: 'start the build stage with FROM <image>, or FROM scratch',
    });
  }
  return { globals, stages };
}

type Lower = (state: StageState, ins: never) => void;
const LOWER: Record<Exclude<Instruction['kind'], 'FROM'>, Lower> = {
  RUN: lowerRun,
  CMD: lowerCmd,
  ENTRYPOINT: lowerEntrypoint,
  LABEL: lowerLabel,
  MAINTAINER: lowerMaintainer,
  EXPOSE: lowerExpose,
  ENV: lowerEnv,
  COPY: lowerCopy,
  ADD: lowerCopy,
  VOLUME: lowerVolume,
  USER: lowerUser,
  WORKDIR: lowerWorkdir,
  ARG: lowerArg,
  ONBUILD: lowerOnbuild,
  STOPSIGNAL: lowerStopsignal,
  HEALTHCHECK: lowerHealthcheck,
  SHELL: lowerShell,
};

function dispatch(state: StageState, ins: Instruction): void {
  if (ins.kind === 'FROM') throw new TsbuildError('INTERNAL', 'FROM inside a stage');
  (LOWER[ins.kind] as (s: StageState, i: Instruction) => void)(state, ins);
}

/** BuildKit gives every stage a PATH: a base image without one gets the default. */
function withDefaultPath(config: ConfigState): ConfigState {
  if (config.env.some(([k]) => k === 'PATH')) return config;
  return { ...config, env: [...config.env, ['PATH', DEFAULT_PATH]] };
}

/**
 * ONBUILD triggers of the base (an image, or a stage built earlier) run first
 * in the stage that uses it. A trigger is one instruction without a FROM, which
 * the parser refuses on its own, hence the FROM line put before it and dropped.
 */
function triggers(onBuild: readonly string[], origin: string, file: string): Instruction[] {
  return onBuild.flatMap((text) => {
    const parsed = parseDockerfile(`FROM scratch\n${text}`, { file: `${file} (ONBUILD of ${origin})` });
    const first = parsed.errors[0];
    if (first !== undefined) {
      throw new TsbuildError(
        'DF_PLAN',
        `ONBUILD trigger "${text}" of ${origin} does not parse: ${first.message}`,
      );
    }
    return parsed.ast.instructions.slice(1);
  });
}

export async function planBuild(df: Dockerfile, options: PlanOptions): Promise<BuildPlan> {
  const file = options.file ?? 'Dockerfile';
  const usage = createArgUsage(options.buildArgs ?? new Map());
  const { globals, stages } = splitStages(df, file);

  const metaArgs = new Map(platformArgs(options.platform, options.platform));
  const declaredMeta: { name: string; value?: string }[] = [];
  for (const ins of globals) {
    if (ins.kind !== 'ARG') continue;
    for (const a of ins.args) {
      const def =
        a.defaultValue === undefined
          ? undefined
          : expandWith({ file, escape: df.escape }, (n) => metaArgs.get(n), a.defaultValue, ins.range);
      const value = declareArg(usage, a.name, def, metaArgs);
      if (value === undefined) metaArgs.delete(a.name);
      else metaArgs.set(a.name, value);
      declaredMeta.push({ name: a.name, ...(value !== undefined && { value }) });
    }
  }

  let target = stages.length - 1;
  if (options.target !== undefined) {
    const found = stages.find((s) => s.name === options.target!.toLowerCase());
    if (found === undefined) {
      const names = stages.flatMap((s) => (s.name === undefined ? [] : [s.name]));
      throw new TsbuildError('DF_PLAN', `target stage "${options.target}" could not be found in ${file}`, {
        hint:
          names.length > 0 ? `stages are: ${names.join(', ')}` : 'name a stage with FROM <image> AS <name>',
      });
    }
    target = found.index;
  }

  const scanned = scanStages(stages, metaArgs, usage.buildArgs, df.escape, file);
  const order = buildOrder(scanned, target, file);

  // Resolve every image the needed stages use, all at once.
  const host = formatPlatform(options.platform);
  const refs = new Set<string>();
  for (const i of order) {
    const s = scanned[i]!;
    if (s.stage.from.platform !== undefined) {
      const wanted = expandWith(
        { file, escape: df.escape },
        (n) => metaArgs.get(n),
        s.stage.from.platform,
        s.stage.from.range,
      );
      if (wanted !== host) {
        throw planError(
          file,
          s.stage.from.range,
          `FROM --platform=${wanted}: only the host platform (${host}) can be built`,
          `drop --platform or use --platform=$BUILDPLATFORM`,
        );
      }
    }
    if (s.base.kind === 'image') refs.add(s.base.ref);
    for (const r of s.reads) if (r.ref.kind === 'image') refs.add(r.ref.ref);
  }
  const resolved = new Map<string, ResolvedImage>();
  await Promise.all(
    [...refs].map(async (ref) => {
      resolved.set(ref, await options.resolveImage(ref, options.platform));
    }),
  );

  const plans = new Map<number, StagePlan>();
  const warnings: Diagnostic[] = [];
  // What a stage built FROM another one inherits besides the config: its args and build environment.
  const finalScopes = new Map<number, Pick<StageState, 'args' | 'buildEnv'>>();
  for (const index of order) {
    const s = scanned[index]!;
    const raw = s.stage;
    let base: StageBase;
    let startConfig: ConfigState;
    let onbuild: Instruction[] = [];
    const inherited = s.base.kind === 'stage' ? finalScopes.get(s.base.stage) : undefined;
    if (s.base.kind === 'scratch') {
      base = { kind: 'scratch' };
      startConfig = EMPTY_CONFIG;
    } else if (s.base.kind === 'stage') {
      base = { kind: 'stage', stage: s.base.stage };
      const parent = plans.get(s.base.stage)!.config;
      startConfig = { ...parent, onBuild: [] };
      onbuild = triggers(parent.onBuild, `stage ${describe(stages[s.base.stage]!)}`, file);
    } else {
      const image = resolved.get(s.base.ref)!;
      base = { kind: 'image', ref: s.base.ref, image };
      startConfig = withDefaultPath({ ...image.config, onBuild: [] });
      onbuild = triggers(image.config.onBuild, image.ref, file);
    }
    const state: StageState = {
      index,
      file,
      escape: df.escape,
      platform: options.platform,
      config: configFromState(startConfig),
      cmdSetHere: false,
      args: new Map(inherited?.args),
      buildEnv: new Map(inherited?.buildEnv ?? startConfig.env),
      usage,
      metaArgs,
      steps: [],
      warnings,
      resolveFrom: (name: string, range: Range): SourceRef => {
        const ref = lookupStage(stages, name);
        if (ref.kind === 'image') {
          const image = resolved.get(ref.ref);
          if (image === undefined) {
            throw planError(
              file,
              range,
              `--from=${name} depends on a value only known after the base image is read`,
              'use a build arg or a literal in --from',
            );
          }
          return { kind: 'image', image };
        }
        if (!plans.has(ref.stage)) {
          throw planError(
            file,
            range,
            `--from=${name}: stage ${describe(stages[ref.stage]!)} is not built before this one`,
            'check for a circular reference between stages',
          );
        }
        return ref;
      },
    };
    for (const ins of [...onbuild, ...raw.instructions]) dispatch(state, ins);
    finalScopes.set(index, state);
    const dependsOn = [
      ...(s.base.kind === 'stage' ? [s.base.stage] : []),
      ...s.reads.flatMap((r) => (r.ref.kind === 'stage' ? [r.ref.stage] : [])),
    ];
    plans.set(index, {
      index,
      ...(raw.name !== undefined && { name: raw.name }),
      base,
      range: raw.from.range,
      steps: state.steps,
      config: freezeConfig(state.config),
      dependsOn: [...new Set(dependsOn)],
      args: [...state.args].map(([name, value]) => ({ name, ...(value !== undefined && { value }) })),
    });
  }

  for (const name of unusedBuildArgs(usage)) {
    warnings.push({
      severity: 'warning',
      code: 'UnusedBuildArg',
      message: `build arg "${name}" was given but no ARG in ${file} declares it`,
      range: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } },
    });
  }

  return {
    stages: order.map((i) => plans.get(i)!),
    target,
    order,
    platform: options.platform,
    metaArgs: declaredMeta,
    warnings,
  };
}
