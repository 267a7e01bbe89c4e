/** COPY, ADD and WORKDIR: the instructions that write files without running a container. */
import { posix } from 'node:path';
import { TsbuildError } from '../../errors.ts';
import type { AddInstruction, CopyInstruction, Heredoc, WorkdirInstruction } from '../../parser/ast.ts';
import { expandIn } from '../expand.ts';
import { currentWorkdir, type StageState } from '../state.ts';
import type { CopyStep, SourceRef } from '../types.ts';
import { oneLine } from './format.ts';

const HEREDOC_SOURCE = /^<<-?(["']?)([A-Za-z0-9_.-]+)\1$/;

/** Absolute destination; a trailing `/` (or `.`) keeps meaning "into this directory". */
export function resolveDest(workdir: string, dest: string): string {
  const intoDir = dest.endsWith('/') || dest === '.' || dest.endsWith('/.') || dest === '';
  const abs = posix.resolve(workdir, dest);
  return intoDir && abs !== '/' ? `${abs}/` : abs;
}

/** The heredoc a source word such as `<<EOF` names, if any. */
function heredocOf(ins: CopyInstruction | AddInstruction, source: string): Heredoc | undefined {
  const m = HEREDOC_SOURCE.exec(source);
  return m === null ? undefined : ins.heredocs.find((h) => h.name === m[2]);
}

function inlineSources(state: StageState, ins: CopyInstruction | AddInstruction): CopyStep['inline'] {
  return ins.sources.flatMap((src) => {
    const doc = heredocOf(ins, src);
    if (doc === undefined) return [];
    return [{ name: doc.name, content: doc.expand ? expandIn(state, doc.content, doc.range) : doc.content }];
  });
}

export function lowerCopy(state: StageState, ins: CopyInstruction | AddInstruction): void {
  const x = (v: string) => expandIn(state, v, ins.range);
  const inline = inlineSources(state, ins);
  const sources = ins.sources.filter((s) => heredocOf(ins, s) === undefined).map(x);
  if (sources.length === 0 && inline.length === 0) {
    throw new TsbuildError('DF_PLAN', `${ins.kind} needs at least one source and a destination`, {
      location: { file: state.file, line: ins.range.start.line, column: ins.range.start.column },
    });
  }
  const fromName = ins.kind === 'COPY' && ins.from !== undefined ? x(ins.from) : undefined;
  const from: SourceRef =
    fromName === undefined ? { kind: 'context' } : state.resolveFrom(fromName, ins.range);
  const workdir = currentWorkdir(state);
  const dest = resolveDest(workdir, x(ins.dest));
  const multi = sources.length + inline.length > 1;
  if (multi && !dest.endsWith('/')) {
    throw new TsbuildError(
      'DF_PLAN',
      `${ins.kind} with more than one source needs a destination directory ending in "/"`,
      {
        location: { file: state.file, line: ins.range.start.line, column: ins.range.start.column },
        hint: `write the destination as "${x(ins.dest)}/"`,
      },
    );
  }
  const chown = ins.chown === undefined ? undefined : x(ins.chown);
  const chmod = ins.chmod === undefined ? undefined : x(ins.chmod);
  const parents = ins.kind === 'COPY' ? ins.parents : false;
  // BuildKit's history names --parents, --chown and --chmod (expanded), never --from, --link or --exclude.
  const createdBy = [
    ins.kind,
    ...(parents ? ['--parents'] : []),
    ...(chown === undefined ? [] : [`--chown=${chown}`]),
    ...(chmod === undefined ? [] : [`--chmod=${chmod}`]),
    ...sources,
    ...inline.map((doc) => `<<${doc.name}`),
    x(ins.dest),
  ].join(' ');
  const step: CopyStep = {
    kind: 'copy',
    add: ins.kind === 'ADD',
    display: oneLine(ins.source),
    range: ins.range,
    createdBy: `${createdBy} # buildkit`,
    from,
    sources,
    inline,
    dest,
    workdir,
    ...(chown !== undefined && { chown }),
    ...(chmod !== undefined && { chmod }),
    link: ins.link,
    parents,
    exclude: ins.exclude.map(x),
    ...(ins.kind === 'ADD' && ins.checksum !== undefined && { checksum: x(ins.checksum) }),
    keepGitDir: ins.kind === 'ADD' ? ins.keepGitDir : false,
    ...(ins.kind === 'ADD' && ins.unpack !== undefined && { unpack: ins.unpack }),
    ...(state.config.user !== undefined && { user: state.config.user }),
  };
  state.steps.push(step);
}

export function lowerWorkdir(state: StageState, ins: WorkdirInstruction): void {
  const raw = expandIn(state, ins.path, ins.range);
  if (raw === '') {
    throw new TsbuildError('DF_PLAN', 'WORKDIR needs a path', {
      location: { file: state.file, line: ins.range.start.line, column: ins.range.start.column },
    });
  }
  const path = posix.resolve(currentWorkdir(state), raw);
  state.config.workingDir = path;
  state.steps.push({
    kind: 'workdir',
    display: oneLine(ins.source),
    range: ins.range,
    createdBy: `WORKDIR ${path}`,
    path,
    ...(state.config.user !== undefined && { user: state.config.user }),
  });
}
