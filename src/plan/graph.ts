/**
 * The stage graph: which stage reads from which (FROM, COPY --from, RUN
 * --mount from=), found before any image is resolved, so that `--target`
 * prunes unreachable stages before their base images are even looked up.
 */
import { TsbuildError } from '../errors.ts';
import type { FromInstruction, Instruction, Range } from '../parser/ast.ts';
import { expandWord } from '../parser/index.ts';

export interface RawStage {
  readonly index: number;
  readonly from: FromInstruction;
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

/** A reference found in a stage: to another stage, or to an image by name. */
export type StageRef =
  | { readonly kind: 'stage'; readonly stage: number }
  | { readonly kind: 'image'; readonly ref: string };

export interface ScannedStage {
  readonly stage: RawStage;
  /** The expanded FROM image word (a stage name, `scratch` or an image reference). */
  readonly baseWord: string;
  readonly base: StageRef | { readonly kind: 'scratch' };
  /** Every `--from` / `from=` reference, with the range that made it. */
  readonly reads: readonly { readonly ref: StageRef; readonly range: Range }[];
}

function located(file: string, range: Range) {
  return { location: { file, line: range.start.line, column: range.start.column } };
}

/** Resolves a `--from` value: a stage name, a stage index, or an image. */
export function lookupStage(stages: readonly RawStage[], word: string): StageRef {
  const lower = word.toLowerCase();
  const named = stages.find((s) => s.name === lower);
  if (named !== undefined) return { kind: 'stage', stage: named.index };
  if (/^\d+$/.test(word) && Number(word) < stages.length) return { kind: 'stage', stage: Number(word) };
  return { kind: 'image', ref: word };
}

function fromWords(ins: Instruction): string[] {
  if (ins.kind === 'COPY' && ins.from !== undefined) return [ins.from];
  if (ins.kind === 'RUN') return ins.mounts.flatMap((m) => (m.from === undefined ? [] : [m.from]));
  return [];
}

/**
 * Scans stages for their references. Values are expanded with the global args
 * plus the stage's own ARG defaults and ENV lines (a base image's ENV cannot be
 * known yet; a `--from` that needs it is rare and reported when lowering).
 */
export function scanStages(
  stages: readonly RawStage[],
  metaArgs: ReadonlyMap<string, string>,
  buildArgs: ReadonlyMap<string, string>,
  escapeChar: '\\' | '`',
  file: string,
): ScannedStage[] {
  return stages.map((stage) => {
    const env = new Map<string, string>();
    const get = (name: string) => env.get(name);
    const baseWord = expandWord(stage.from.image, (n) => metaArgs.get(n), {
      escape: escapeChar,
      ...located(file, stage.from.range),
    });
    const prior = stages.slice(0, stage.index);
    const lower = baseWord.toLowerCase();
    const baseStage = prior.find((s) => s.name === lower);
    const base: ScannedStage['base'] =
      baseStage !== undefined
        ? { kind: 'stage', stage: baseStage.index }
        : lower === 'scratch'
          ? { kind: 'scratch' }
          : { kind: 'image', ref: baseWord };
    const reads: { ref: StageRef; range: Range }[] = [];
    for (const ins of stage.instructions) {
      if (ins.kind === 'ARG') {
        for (const a of ins.args) {
          const value =
            buildArgs.get(a.name) ??
            (a.defaultValue === undefined
              ? metaArgs.get(a.name)
              : expandWord(a.defaultValue, get, { escape: escapeChar, ...located(file, ins.range) }));
          if (value !== undefined) env.set(a.name, value);
        }
      } else if (ins.kind === 'ENV') {
        for (const p of ins.pairs)
          env.set(p.key, expandWord(p.value, get, { escape: escapeChar, ...located(file, ins.range) }));
      }
      if (ins.kind === 'COPY' && ins.from !== undefined)
        checkLiteralFrom(ins.from, escapeChar, file, ins.range);
      for (const word of fromWords(ins)) {
        const name = expandWord(word, get, { escape: escapeChar, ...located(file, ins.range) });
        if (/^\d+$/.test(name) && Number(name) >= stages.length) {
          throw new TsbuildError('DF_PLAN', `--from=${name}: there is no stage #${name}`, {
            ...located(file, ins.range),
            hint: `stages are numbered from 0 to ${stages.length - 1}, in the order of their FROM lines`,
          });
        }
        const ref = lookupStage(stages, name);
        if (ref.kind === 'stage' && ref.stage === stage.index) {
          throw new TsbuildError('DF_PLAN', `stage ${describe(stage)} cannot copy from itself`, {
            ...located(file, ins.range),
            hint: 'name an earlier stage or an image in --from',
          });
        }
        reads.push({ ref, range: ins.range });
      }
    }
    return { stage, baseWord, base, reads };
  });
}

/**
 * BuildKit links stages before any variable is known, so it refuses a
 * `COPY --from` that names one; so does this planner, rather than build
 * something BuildKit would not.
 */
function checkLiteralFrom(word: string, escapeChar: '\\' | '`', file: string, range: Range): void {
  if (expandWord(word, () => undefined, { escape: escapeChar, ...located(file, range) }) === word) return;
  throw new TsbuildError('DF_PLAN', `COPY --from=${word}: variables are not expanded in --from`, {
    ...located(file, range),
    hint: 'name the stage or image literally; for a variable image, add a stage FROM it (with a global ARG) and copy from that stage',
  });
}

export function describe(stage: RawStage): string {
  return stage.name === undefined ? `#${stage.index}` : `"${stage.name}"`;
}

function edges(s: ScannedStage): number[] {
  const deps = s.reads.flatMap((r) => (r.ref.kind === 'stage' ? [r.ref.stage] : []));
  if (s.base.kind === 'stage') deps.unshift(s.base.stage);
  return [...new Set(deps)];
}

/** Stages the target needs, dependencies first; cycles are errors that name the stages. */
export function buildOrder(scanned: readonly ScannedStage[], target: number, file: string): number[] {
  const order: number[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (index: number, path: number[]) => {
    const mark = state.get(index);
    if (mark === 'done') return;
    const s = scanned[index]!;
    if (mark === 'visiting') {
      const cycle = [...path.slice(path.indexOf(index)), index].map((i) => describe(scanned[i]!.stage));
      throw new TsbuildError('DF_PLAN', `circular dependency between stages: ${cycle.join(' -> ')}`, {
        ...located(file, s.stage.from.range),
        hint: 'a stage can only use stages that do not, directly or indirectly, use it',
      });
    }
    state.set(index, 'visiting');
    for (const dep of edges(s)) visit(dep, [...path, index]);
    state.set(index, 'done');
    order.push(index);
  };
  visit(target, []);
  for (const index of order) checkNoForwardReads(scanned[index]!, scanned, file);
  return order;
}

/** BuildKit builds stages in file order, so a stage can only read from one defined above it. */
function checkNoForwardReads(s: ScannedStage, scanned: readonly ScannedStage[], file: string): void {
  for (const read of s.reads) {
    if (read.ref.kind !== 'stage' || read.ref.stage < s.stage.index) continue;
    throw new TsbuildError(
      'DF_PLAN',
      `stage ${describe(s.stage)} reads from stage ${describe(scanned[read.ref.stage]!.stage)}, which is defined after it`,
      { ...located(file, read.range), hint: 'move the stage it reads from above this one' },
    );
  }
}
