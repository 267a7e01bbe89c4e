/**
 * The build's inputs from the user: the Dockerfile (a file, or text given on
 * stdin), its parse and lint results, `.dockerignore`, secrets and SSH
 * sockets, and the run settings that apply to every RUN.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TsbuildError } from '../errors.ts';
import type { BuildInputs, SecretSource } from '../ops/services.ts';
import type { Diagnostic, ParseResult } from '../parser/ast.ts';
import { lintDockerfile, parseDockerfile } from '../parser/index.ts';
import { readIgnoreFile } from './ignore-file.ts';

export { readIgnoreFile };

export interface SecretSpec {
  readonly id: string;
  /** A file to read the value from. */
  readonly src?: string;
  /** An environment variable of this process holding the value. */
  readonly env?: string;
}

export interface BuildInputsOptions {
  /** The build context directory. */
  readonly context: string;
  /**
   * For callers that alone write the context directory (a build server's copy of a client's
   * context): a name that changes whenever they change its contents. Builds given the same name
   * reuse the context's checksums without looking at its files again.
   */
  readonly contextGeneration?: string;
  /** Path of the Dockerfile; default `<context>/Dockerfile`. */
  readonly dockerfile?: string;
  /** The Dockerfile's text, when it does not come from a file (`-f -`). */
  readonly dockerfileText?: string;
  /** Default network of RUN steps (`default` is the host network). */
  readonly network?: 'default' | 'none' | 'host';
  readonly secrets?: readonly SecretSpec[];
  /** `--ssh id=socket`: agent sockets RUN --mount=type=ssh may forward. */
  readonly ssh?: Readonly<Record<string, string>>;
  readonly memoryBytes?: number;
  readonly cpus?: number;
  readonly pidsLimit?: number;
  readonly sourceDateEpoch?: number;
  /** Whether lint findings configured as errors (`# check=error=true`) fail the build (default true). */
  readonly checkErrors?: boolean;
}

export interface BuildDefinition {
  /** The Dockerfile's name as shown in messages. */
  readonly file: string;
  readonly path: string | undefined;
  readonly text: string;
  readonly parsed: ParseResult;
}

function locationOf(file: string, d: Diagnostic) {
  return {
    file,
    line: d.range.start.line,
    column: d.range.start.column,
    endLine: d.range.end.line,
    endColumn: d.range.end.column,
  };
}

/**
 * A Dockerfile inside the context belongs to the context: if it is a symlink out of it (a hostile
 * repository's `Dockerfile -> /etc/shadow`), parse errors would print host files in the build log.
 * One named outside the context is the user's own choice.
 */
async function refuseLinkOutOfContext(dockerfile: string, context: string): Promise<void> {
  const outside = (rel: string) => rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  if (outside(relative(resolve(context), dockerfile))) return;
  const [contextReal, real] = await Promise.all([
    realpath(context).catch(() => undefined),
    realpath(dockerfile).catch(() => undefined),
  ]);
  // A missing file or context is reported by the read that follows.
  if (contextReal === undefined || real === undefined || !outside(relative(contextReal, real))) return;
  throw new TsbuildError(
    'CONTEXT',
    `the Dockerfile ${dockerfile} is a symlink that leads outside the build context`,
    {
      hint: 'give the file it points to with -f, or copy it into the context',
    },
  );
}

export async function loadBuildDefinition(options: BuildInputsOptions): Promise<BuildDefinition> {
  const path =
    options.dockerfileText === undefined
      ? resolve(options.dockerfile ?? join(options.context, 'Dockerfile'))
      : undefined;
  let text = options.dockerfileText;
  if (path !== undefined) await refuseLinkOutOfContext(path, options.context);
  if (text === undefined) {
    try {
      text = await readFile(path!, 'utf8');
    } catch (err) {
      throw new TsbuildError('USAGE', `cannot read the Dockerfile at ${path}: ${(err as Error).message}`, {
        cause: err,
        hint: 'give its path with -f, or run in a directory that has a Dockerfile',
      });
    }
  }
  const file = path === undefined ? 'Dockerfile' : basename(path);
  const parsed = parseDockerfile(text, { file });
  const firstError = parsed.errors[0];
  if (firstError !== undefined) {
    throw new TsbuildError(
      firstError.code === 'DF_UNKNOWN_INSTRUCTION' ? 'DF_UNKNOWN_INSTRUCTION' : 'DF_PARSE',
      firstError.message,
      {
        location: locationOf(file, firstError),
        ...(firstError.hint !== undefined && { hint: firstError.hint }),
      },
    );
  }
  return { file, path, text, parsed };
}

/**
 * BuildKit's build checks, run once the base images are known (UndefinedVar
 * needs their environment). Returns the warnings; a check configured as an
 * error (`# check=error=true`) fails the build.
 */
export function checkBuildDefinition(
  def: BuildDefinition,
  options: {
    buildArgs: ReadonlyMap<string, string>;
    baseImageEnv: (image: string) => ReadonlySet<string> | undefined;
    checkErrors?: boolean;
  },
): readonly Diagnostic[] {
  const lint = lintDockerfile(def.parsed, {
    buildArgs: options.buildArgs,
    baseImageEnv: options.baseImageEnv,
  });
  const lintError = lint.errors[0];
  if (lintError !== undefined && options.checkErrors !== false) {
    throw new TsbuildError('DF_LINT', `${lintError.code}: ${lintError.message}`, {
      location: locationOf(def.file, lintError),
      hint: 'fix the finding, or skip the check with `# check=skip=<name>`',
    });
  }
  return lint.warnings;
}

function secretSource(spec: SecretSpec): SecretSource {
  return {
    id: spec.id,
    read: async () => {
      if (spec.env !== undefined) {
        const value = process.env[spec.env];
        if (value === undefined)
          throw new TsbuildError('USAGE', `secret "${spec.id}": environment variable ${spec.env} is not set`);
        return Buffer.from(value);
      }
      if (spec.src !== undefined) return readFile(spec.src);
      throw new TsbuildError('USAGE', `secret "${spec.id}" has neither src= nor env=`);
    },
  };
}

export async function makeBuildInputs(
  options: BuildInputsOptions,
  def: BuildDefinition,
): Promise<BuildInputs> {
  const contextDir = resolve(options.context);
  const st = await stat(contextDir).catch(() => undefined);
  if (st === undefined || !st.isDirectory()) {
    throw new TsbuildError('CONTEXT', `build context ${contextDir} is not a directory`, {
      hint: 'give a directory as the build context (e.g. `.`)',
    });
  }
  const limits = {
    ...(options.memoryBytes !== undefined && { memoryBytes: options.memoryBytes }),
    ...(options.cpus !== undefined && { cpus: options.cpus }),
    ...(options.pidsLimit !== undefined && { pids: options.pidsLimit }),
  };
  return {
    contextDir,
    ignore: await readIgnoreFile(contextDir, def.path),
    secrets: new Map((options.secrets ?? []).map((s) => [s.id, secretSource(s)])),
    sshSockets: new Map(Object.entries(options.ssh ?? {})),
    network: options.network === 'none' ? 'none' : 'host',
    ...(Object.keys(limits).length > 0 && { limits }),
    ...(options.sourceDateEpoch !== undefined && { sourceDateEpoch: options.sourceDateEpoch }),
    ...(options.contextGeneration !== undefined && { contextGeneration: options.contextGeneration }),
  };
}
