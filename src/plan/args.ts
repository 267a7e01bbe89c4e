/**
 * Build-arg scoping as BuildKit does it: ARGs before the first FROM are
 * usable only in FROM lines until a stage re-declares them; `--build-arg`
 * overrides defaults; ENV wins over ARG of the same name; the platform args
 * are predefined; proxy args pass through without a declaration.
 */
import type { Platform } from './types.ts';

export const PROXY_ARGS: ReadonlySet<string> = new Set(
  ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((n) => [n, n.toLowerCase()]),
);

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== '').join('/');
}

/** TARGET* and BUILD* args; this builder only targets the host platform. */
export function platformArgs(target: Platform, build: Platform): ReadonlyMap<string, string> {
  return new Map([
    ['TARGETPLATFORM', formatPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETARCH', target.architecture],
    ['TARGETVARIANT', target.variant ?? ''],
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDARCH', build.architecture],
    ['BUILDVARIANT', build.variant ?? ''],
  ]);
}

/** Tracks which `--build-arg`s some ARG declared, to warn about the rest. */
export interface ArgUsage {
  readonly buildArgs: ReadonlyMap<string, string>;
  readonly consumed: Set<string>;
}

export function createArgUsage(buildArgs: ReadonlyMap<string, string>): ArgUsage {
  return { buildArgs, consumed: new Set() };
}

/** Names given with `--build-arg` that nothing declared (and that are not predefined). */
export function unusedBuildArgs(usage: ArgUsage): string[] {
  return [...usage.buildArgs.keys()].filter(
    (name) => !usage.consumed.has(name) && !PROXY_ARGS.has(name) && !isPlatformArg(name),
  );
}

function isPlatformArg(name: string): boolean {
  return /^(TARGET|BUILD)(PLATFORM|OS|ARCH|VARIANT)$/.test(name);
}

/**
 * The value an `ARG name[=default]` takes: the build arg if one was given,
 * else the (already expanded) default, else what the global scope had for it.
 */
export function declareArg(
  usage: ArgUsage,
  name: string,
  expandedDefault: string | undefined,
  inherited: ReadonlyMap<string, string>,
): string | undefined {
  const given = usage.buildArgs.get(name);
  usage.consumed.add(name);
  if (given !== undefined) return given;
  if (expandedDefault !== undefined) return expandedDefault;
  return inherited.get(name);
}

/** Proxy args given on the command line: in RUN's environment without a declaration. */
export function proxyEnv(usage: ArgUsage, declared: ReadonlyMap<string, string>): [string, string][] {
  return [...usage.buildArgs].filter(([name]) => PROXY_ARGS.has(name) && !declared.has(name));
}
