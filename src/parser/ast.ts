/**
 * The typed Dockerfile AST. Values are kept as written (unexpanded words,
 * quotes included) so that later stages can expand them with the right
 * environment; the parser only splits and classifies.
 *
 * This file is the contract between the parser and everything that reads
 * Dockerfiles (plan, lint, `tsbuild parse --format json`). Keep it stable.
 */

/** 1-based line and column; `offset` is the 0-based index into the source text. */
export interface Position {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

export interface Range {
  readonly start: Position;
  readonly end: Position;
}

export interface Located {
  readonly range: Range;
}

/** A parser directive at the top of the file (`# syntax=`, `# escape=`, `# check=`). */
export interface Directive extends Located {
  readonly name: 'syntax' | 'escape' | 'check';
  readonly value: string;
}

/** A heredoc body attached to RUN, COPY or ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`). */
export interface Heredoc extends Located {
  /** Delimiter word without quotes, e.g. `EOF`. */
  readonly name: string;
  /** Body text after `<<-` tab stripping, including the final newline. */
  readonly content: string;
  /** False when the delimiter was quoted: the body is taken literally. */
  readonly expand: boolean;
  /** True for `<<-`: leading tabs were removed from every body line. */
  readonly chomp: boolean;
}

/** A command in shell form (one string for the shell) or exec form (JSON array). */
export type CommandForm =
  | { readonly form: 'shell'; readonly command: string }
  | { readonly form: 'exec'; readonly args: readonly string[] };

/** A `name=value` pair as written (value unexpanded, quotes kept). */
export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/** A `--flag` as written, before interpretation; kept for printing and lint. */
export interface RawFlag extends Located {
  readonly name: string;
  /** Undefined for a bare boolean flag such as `--link`. */
  readonly value: string | undefined;
}

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';

/**
 * One `RUN --mount=...`. String fields are unexpanded (they may hold `$VAR`);
 * the planner expands and validates them.
 */
export interface MountSpec {
  readonly type: MountType;
  readonly target?: string;
  readonly source?: string;
  readonly from?: string;
  readonly readonly?: boolean;
  /** cache / secret / ssh id. */
  readonly id?: string;
  readonly sharing?: 'shared' | 'private' | 'locked';
  readonly mode?: string;
  readonly uid?: string;
  readonly gid?: string;
  /** tmpfs size, e.g. `64m`. */
  readonly size?: string;
  /** secret exposed as an environment variable instead of a file. */
  readonly env?: string;
  readonly required?: boolean;
}

interface InstructionBase extends Located {
  /** The keyword as written (`run`, `Run`, `RUN`), for casing checks and printing. */
  readonly keyword: string;
  /** The whole instruction as it appears in the file, continuations included. */
  readonly source: string;
  /** Every flag in order, as written. Typed views live on each instruction. */
  readonly flags: readonly RawFlag[];
}

export interface FromInstruction extends InstructionBase {
  readonly kind: 'FROM';
  readonly image: string;
  /** Stage name after `AS`, as written (casing kept; stage names compare lower-cased). */
  readonly stageName?: string;
  /** The `AS` keyword as written, for the FromAsCasing check. */
  readonly asKeyword?: string;
  readonly platform?: string;
}

export interface RunInstruction extends InstructionBase {
  readonly kind: 'RUN';
  readonly command: CommandForm;
  readonly heredocs: readonly Heredoc[];
  readonly mounts: readonly MountSpec[];
  readonly network?: 'default' | 'none' | 'host';
  readonly security?: 'sandbox' | 'insecure';
}

export interface CmdInstruction extends InstructionBase {
  readonly kind: 'CMD';
  readonly command: CommandForm;
}

export interface EntrypointInstruction extends InstructionBase {
  readonly kind: 'ENTRYPOINT';
  readonly command: CommandForm;
}

export interface LabelInstruction extends InstructionBase {
  readonly kind: 'LABEL';
  readonly pairs: readonly KeyValue[];
  /** True for the legacy `LABEL key value` form. */
  readonly legacy: boolean;
}

export interface MaintainerInstruction extends InstructionBase {
  readonly kind: 'MAINTAINER';
  readonly name: string;
}

export interface ExposeInstruction extends InstructionBase {
  readonly kind: 'EXPOSE';
  /** Words as written: `80`, `8080/tcp`, `7000-7010/udp`, `$PORT`. */
  readonly ports: readonly string[];
}

export interface EnvInstruction extends InstructionBase {
  readonly kind: 'ENV';
  readonly pairs: readonly KeyValue[];
  /** True for the legacy `ENV key value` form. */
  readonly legacy: boolean;
}

interface CopyLike extends InstructionBase {
  /** Sources as written; heredoc sources appear as `<<NAME` and in `heredocs`. */
  readonly sources: readonly string[];
  readonly dest: string;
  /** True when the arguments were a JSON array. */
  readonly json: boolean;
  readonly heredocs: readonly Heredoc[];
  readonly chown?: string;
  readonly chmod?: string;
  readonly link: boolean;
  readonly exclude: readonly string[];
}

export interface CopyInstruction extends CopyLike {
  readonly kind: 'COPY';
  readonly from?: string;
  readonly parents: boolean;
}

export interface AddInstruction extends CopyLike {
  readonly kind: 'ADD';
  readonly checksum?: string;
  readonly keepGitDir: boolean;
  readonly unpack?: boolean;
}

export interface VolumeInstruction extends InstructionBase {
  readonly kind: 'VOLUME';
  readonly paths: readonly string[];
  readonly json: boolean;
}

export interface UserInstruction extends InstructionBase {
  readonly kind: 'USER';
  readonly user: string;
}

export interface WorkdirInstruction extends InstructionBase {
  readonly kind: 'WORKDIR';
  readonly path: string;
}

export interface ArgDeclaration {
  readonly name: string;
  /** Default as written (unexpanded); undefined when there is no `=`. */
  readonly defaultValue?: string;
}

export interface ArgInstruction extends InstructionBase {
  readonly kind: 'ARG';
  readonly args: readonly ArgDeclaration[];
}

export interface OnbuildInstruction extends InstructionBase {
  readonly kind: 'ONBUILD';
  /** The trigger instruction. Never ONBUILD, FROM or MAINTAINER. */
  readonly instruction: Instruction;
}

export interface StopsignalInstruction extends InstructionBase {
  readonly kind: 'STOPSIGNAL';
  readonly signal: string;
}

export interface HealthcheckOptions {
  readonly interval?: string;
  readonly timeout?: string;
  readonly startPeriod?: string;
  readonly startInterval?: string;
  readonly retries?: string;
}

export interface HealthcheckInstruction extends InstructionBase {
  readonly kind: 'HEALTHCHECK';
  /** `NONE` disables any inherited check. */
  readonly check:
    | { readonly type: 'none' }
    | ({ readonly type: 'cmd'; readonly command: CommandForm } & HealthcheckOptions);
}

export interface ShellInstruction extends InstructionBase {
  readonly kind: 'SHELL';
  readonly args: readonly string[];
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | LabelInstruction
  | MaintainerInstruction
  | ExposeInstruction
  | EnvInstruction
  | CopyInstruction
  | AddInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | ArgInstruction
  | OnbuildInstruction
  | StopsignalInstruction
  | HealthcheckInstruction
  | ShellInstruction;

export type InstructionKind = Instruction['kind'];

/** A comment line, kept so tools can print the file back. */
export interface Comment extends Located {
  readonly text: string;
}

export interface Dockerfile {
  readonly directives: readonly Directive[];
  /** The escape character in effect (`\` unless `# escape=` said otherwise). */
  readonly escape: '\\' | '`';
  readonly instructions: readonly Instruction[];
  readonly comments: readonly Comment[];
}

export type Severity = 'error' | 'warning';

/** A problem found while parsing: data with a location, never a throw. */
export interface Diagnostic extends Located {
  readonly severity: Severity;
  /** Stable code, e.g. `DF_PARSE`, `DF_UNKNOWN_INSTRUCTION`, or a check name such as `JSONArgsRecommended`. */
  readonly code: string;
  readonly message: string;
  /** A suggested fix, e.g. the closest valid instruction. */
  readonly hint?: string;
}

export interface ParseResult {
  readonly ast: Dockerfile;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
}
