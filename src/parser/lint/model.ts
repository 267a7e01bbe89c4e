/** What a lint check sees: the AST split into global ARGs and stages, and a way to report findings. */
import type { ArgInstruction, Dockerfile, FromInstruction, Instruction, Range } from '../ast.ts';

export interface LintStage {
  readonly index: number;
  readonly from: FromInstruction;
  /** Stage name lower-cased (stage names are case-insensitive), if the stage has one. */
  readonly name?: string;
  /** The stage's instructions after its FROM. */
  readonly instructions: readonly Instruction[];
}

export interface LintContext {
  readonly ast: Dockerfile;
  /** ARG instructions before the first FROM. */
  readonly globalArgs: readonly ArgInstruction[];
  readonly stages: readonly LintStage[];
  /** Global ARG values as FROM lines see them (defaults, expanded in order). */
  readonly globalValues: ReadonlyMap<string, string | undefined>;
  /** A FROM image with the global ARG defaults applied. */
  defaultImage(image: string): string;
  /** Environment variables a base image defines, when the caller knows (see LintOptions). */
  readonly baseImageEnv: (image: string) => ReadonlySet<string> | undefined;
  report(range: Range, message: string, hint?: string): void;
}

export interface LintCheck {
  /** BuildKit's name for the check, e.g. `StageNameCasing`. */
  readonly name: string;
  run(ctx: LintContext): void;
}

export function splitStages(ast: Dockerfile): { globalArgs: ArgInstruction[]; stages: LintStage[] } {
  const globalArgs: ArgInstruction[] = [];
  const stages: { index: number; from: FromInstruction; name?: string; instructions: Instruction[] }[] = [];
  for (const instruction of ast.instructions) {
    if (instruction.kind === 'FROM') {
      stages.push({
        index: stages.length,
        from: instruction,
        ...(instruction.stageName === undefined ? {} : { name: instruction.stageName.toLowerCase() }),
        instructions: [],
      });
    } else if (stages.length > 0) stages.at(-1)?.instructions.push(instruction);
    else if (instruction.kind === 'ARG') globalArgs.push(instruction);
  }
  return { globalArgs, stages };
}

/** BuildKit's documentation page for a check. */
export const checkUrl = (name: string): string =>
  `https://docs.docker.com/go/dockerfile/rule/${name
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .replace(/JSON/, 'json-')
    .toLowerCase()
    .replace(/--/g, '-')}/`;
