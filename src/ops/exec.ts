/**
 * The exec op: one RUN in a container over its parent's snapshot. The key is
 * the step's definition (argv, environment, user, workdir, network, mount
 * definitions) plus its inputs' keys; secret values and cache-mount contents
 * never enter it.
 */

import { computeCacheKey } from '../cache/index.ts';
import type { RunStep } from '../plan/types.ts';
import type { Op, VertexContext } from '../solver/index.ts';
import { explainStep, finishLayer, loadRecord } from './layer.ts';
import { mountDefinitions, type PreparedMounts, prepareMounts } from './mounts.ts';
import { ensureSnapshot } from './rootfs.ts';
import { type BuildInputs, generationOf, type OpServices } from './services.ts';
import type { StateResult } from './types.ts';

export interface ExecOpOptions {
  readonly step: RunStep;
  readonly services: OpServices;
  readonly inputs: BuildInputs;
  readonly platform: string;
  /** Where the step sits in its Dockerfile (for `--explain`). */
  readonly slot?: string;
}

/** Environment entries that never change a result: proxy settings, as in Docker. */
const PROXY_ENV = /^(http_proxy|https_proxy|ftp_proxy|no_proxy|all_proxy)=/i;

export function execDefinition(
  step: RunStep,
  platform: string,
  network: 'host' | 'none',
): Record<string, unknown> {
  return {
    op: 'exec',
    args: step.args,
    env: step.env.filter((e) => !PROXY_ENV.test(e)),
    user: step.user ?? '',
    workdir: step.workdir,
    network: step.network === 'default' ? network : step.network,
    security: step.security,
    mounts: mountDefinitions(step.mounts),
    files: step.files,
    platform,
  };
}

export function createExecOp(
  options: ExecOpOptions,
): Op<StateResult> & { readonly definition: () => Record<string, unknown> } {
  const { step, services, inputs } = options;
  const definition = () => execDefinition(step, options.platform, inputs.network);
  let keyInputs: readonly string[] = [];
  return {
    definition,
    async cacheKey(inputKeys: readonly string[], _ctx: VertexContext) {
      keyInputs = inputKeys;
      return computeCacheKey(definition(), inputKeys, await contextMountsChecksum(services, inputs, step));
    },
    load: (key) => loadRecord(services, key),
    explain: (_key, inputKeys) =>
      explainStep(services, {
        definition: definition(),
        inputKeys,
        description: step.display,
        ...(options.slot !== undefined && { slot: options.slot }),
      }),
    async run(states, key, ctx) {
      const parent = states[0]!;
      const parentSnapshot = await ensureSnapshot(services, parent);
      const active = await services.snapshotter.prepare(parentSnapshot);
      let mounts: PreparedMounts | undefined;
      try {
        mounts = await prepareMounts(services, inputs, step, states.slice(1));
        await services.executor.run(
          {
            snapshot: active,
            args: step.args,
            env: step.env,
            cwd: step.workdir,
            ...(step.user !== undefined && { user: step.user }),
            ...(inputs.hostname !== undefined && { hostname: inputs.hostname }),
            network: step.network === 'default' ? inputs.network : step.network,
            mounts: mounts.requests,
            ...(inputs.limits !== undefined && { limits: inputs.limits }),
          },
          {
            signal: ctx.signal,
            onOutput: (stream, chunk) => ctx.log(stream, chunk.toString('utf8')),
          },
        );
      } catch (err) {
        await active.abort().catch(() => undefined);
        throw err;
      } finally {
        await mounts?.release();
      }
      return finishLayer(services, active, parent, parentSnapshot, {
        key,
        signal: ctx.signal,
        ...(inputs.sourceDateEpoch !== undefined && { sourceDateEpoch: inputs.sourceDateEpoch }),
        definition: definition(),
        description: step.display,
        inputKeys: keyInputs,
        ...(options.slot !== undefined && { slot: options.slot }),
      });
    },
  };
}

/** Bind mounts from the build context make the context's content part of the key. */
async function contextMountsChecksum(
  services: OpServices,
  inputs: BuildInputs,
  step: RunStep,
): Promise<string | undefined> {
  const sources = step.mounts
    .filter((m) => m.type === 'bind' && m.from === undefined)
    .map((m) => m.source ?? '.');
  if (sources.length === 0) return undefined;
  const sums = await Promise.all(
    sources.map((src) =>
      services.hasher.checksum(
        inputs.contextDir,
        { sources: [src], ignore: inputs.ignore },
        generationOf(inputs),
      ),
    ),
  );
  return sums.map((s) => s.digest).join(',');
}
