/** The instruction table: keyword -> builder. */
import type { InstructionKind } from '../ast.ts';
import { buildCmd, buildEntrypoint, buildRun, buildShell } from './commands.ts';
import type { InstructionBuilder } from './context.ts';
import { buildAdd, buildCopy } from './copy.ts';
import { buildFrom } from './from.ts';
import { buildHealthcheck } from './healthcheck.ts';
import { buildArg, buildEnv, buildLabel } from './kv.ts';
import { buildOnbuild } from './onbuild.ts';
import {
  buildExpose,
  buildMaintainer,
  buildStopsignal,
  buildUser,
  buildVolume,
  buildWorkdir,
} from './simple.ts';

export const BUILDERS: Readonly<Record<InstructionKind, InstructionBuilder>> = {
  FROM: buildFrom,
  RUN: buildRun,
  CMD: buildCmd,
  ENTRYPOINT: buildEntrypoint,
  SHELL: buildShell,
  LABEL: buildLabel,
  MAINTAINER: buildMaintainer,
  EXPOSE: buildExpose,
  ENV: buildEnv,
  ARG: buildArg,
  COPY: buildCopy,
  ADD: buildAdd,
  VOLUME: buildVolume,
  USER: buildUser,
  WORKDIR: buildWorkdir,
  ONBUILD: buildOnbuild,
  STOPSIGNAL: buildStopsignal,
  HEALTHCHECK: buildHealthcheck,
};

export const KEYWORDS = Object.keys(BUILDERS) as InstructionKind[];

export function kindOf(keyword: string): InstructionKind | undefined {
  const upper = keyword.toUpperCase();
  return Object.hasOwn(BUILDERS, upper) ? (upper as InstructionKind) : undefined;
}

/** Instructions whose arguments may name heredocs (when not in JSON form). */
export const HEREDOC_KINDS: ReadonlySet<InstructionKind> = new Set(['RUN', 'COPY', 'ADD']);
