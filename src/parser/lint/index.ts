/**
 * lintDockerfile: BuildKit's build checks, by BuildKit's names, over a parsed
 * Dockerfile, honouring `# check=skip=...;error=true` (or BUILDKIT_DOCKERFILE_CHECK).
 */
import type { Diagnostic, ParseResult, Range } from '../ast.ts';
import { consistentInstructionCasing, fromAsCasing, stageNameCasing } from './casing.ts';
import { type CheckConfig, DEFAULT_CONFIG, isEnabled, parseCheckConfig } from './config.ts';
import { exposeInvalidFormat, exposeProtoCasing } from './expose.ts';
import { invalidDefaultArgInFrom, redundantTargetPlatform, undefinedArgInFrom } from './from-args.ts';
import {
  jsonArgsRecommended,
  legacyKeyValueFormat,
  maintainerDeprecated,
  multipleInstructionsDisallowed,
  workdirRelativePath,
} from './instructions.ts';
import { checkUrl, type LintCheck, type LintContext, splitStages } from './model.ts';
import { createImageResolver, globalArgValues } from './scope.ts';
import { secretsUsedInArgOrEnv } from './secrets.ts';
import { duplicateStageName, reservedStageName } from './stages.ts';
import { undefinedVar } from './undefined-var.ts';

/** Checks found by the parser itself (reported through lint so the check config applies). */
const PARSER_CHECKS = ['NoEmptyContinuation'];

export const CHECKS: readonly LintCheck[] = [
  stageNameCasing,
  fromAsCasing,
  consistentInstructionCasing,
  duplicateStageName,
  reservedStageName,
  jsonArgsRecommended,
  maintainerDeprecated,
  undefinedVar,
  undefinedArgInFrom,
  invalidDefaultArgInFrom,
  workdirRelativePath,
  multipleInstructionsDisallowed,
  legacyKeyValueFormat,
  secretsUsedInArgOrEnv,
  redundantTargetPlatform,
  exposeProtoCasing,
  exposeInvalidFormat,
];

/** Every check name lintDockerfile can report. */
export const CHECK_NAMES: readonly string[] = [...CHECKS.map((c) => c.name), ...PARSER_CHECKS];

export interface LintOptions {
  /** `--build-arg` values; BUILDKIT_DOCKERFILE_CHECK overrides the `# check=` directive. */
  readonly buildArgs?: ReadonlyMap<string, string>;
  /** Environment variable names a base image defines (from its config), for UndefinedVar. */
  readonly baseImageEnv?: (image: string) => ReadonlySet<string> | undefined;
}

export interface LintResult {
  readonly warnings: Diagnostic[];
  readonly errors: Diagnostic[];
}

function configOf(result: ParseResult, options: LintOptions): { config: CheckConfig; problem?: Diagnostic } {
  const fromArg = options.buildArgs?.get('BUILDKIT_DOCKERFILE_CHECK');
  const directive = result.ast.directives.find((d) => d.name === 'check');
  const text = fromArg ?? directive?.value;
  if (text === undefined) return { config: DEFAULT_CONFIG };
  try {
    return { config: parseCheckConfig(text) };
  } catch (error) {
    const range: Range = directive?.range ?? {
      start: { line: 1, column: 1, offset: 0 },
      end: { line: 1, column: 1, offset: 0 },
    };
    const where = fromArg === undefined ? '# check= directive' : 'BUILDKIT_DOCKERFILE_CHECK build argument';
    return {
      config: DEFAULT_CONFIG,
      problem: {
        severity: 'error',
        code: 'DF_LINT',
        message: `${(error as Error).message} in the ${where}`,
        hint: 'write e.g. # check=skip=JSONArgsRecommended,StageNameCasing;error=true',
        range,
      },
    };
  }
}

export function lintDockerfile(result: ParseResult, options: LintOptions = {}): LintResult {
  const { config, problem } = configOf(result, options);
  const findings: Diagnostic[] = [];
  const severity = config.asErrors ? 'error' : 'warning';
  const { globalArgs, stages } = splitStages(result.ast);
  const globalValues = globalArgValues(globalArgs, result.ast.escape);
  const defaultImage = createImageResolver(globalValues, result.ast.escape);
  for (const check of CHECKS) {
    if (!isEnabled(config, check.name)) continue;
    const ctx: LintContext = {
      ast: result.ast,
      globalArgs,
      stages,
      globalValues,
      defaultImage,
      baseImageEnv: options.baseImageEnv ?? (() => undefined),
      report(range, message, hint) {
        findings.push({ severity, code: check.name, message, range, hint: hint ?? checkUrl(check.name) });
      },
    };
    check.run(ctx);
  }
  for (const w of result.warnings) {
    if (PARSER_CHECKS.includes(w.code) && isEnabled(config, w.code)) findings.push({ ...w, severity });
  }
  findings.sort((a, b) => a.range.start.offset - b.range.start.offset);
  return {
    warnings: findings.filter((f) => f.severity === 'warning'),
    errors: [...(problem ? [problem] : []), ...findings.filter((f) => f.severity === 'error')],
  };
}
