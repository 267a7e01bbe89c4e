/**
 * printDockerfile: a Dockerfile back from the AST. Each instruction is printed on
 * one line (continuations are joined, as Docker joins them), heredoc bodies follow
 * their instruction, comments keep their order, directives come first. Parsing the
 * output gives the same AST apart from positions and source text.
 */
import type { CommandForm, Dockerfile, Heredoc, Instruction, RawFlag } from './ast.ts';
import { createDirectiveScanner } from './directives.ts';
import { continuationAt } from './lines.ts';
import { readJsonArray } from './syntax/read.ts';

/** Quotes a flag value when it holds whitespace, quotes or backslashes (flag words are read quote-aware). */
function flagValue(value: string): string {
  if (!/[\s'"\\\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/.test(value)) return value;
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

const printFlag = (flag: RawFlag): string =>
  flag.value === undefined ? `--${flag.name}` : `--${flag.name}=${flagValue(flag.value)}`;

const jsonArray = (items: readonly string[]): string => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;

/**
 * Plain fields (COPY/ADD/VOLUME not in JSON form). Should the fields happen to spell
 * a JSON array when joined by spaces, a vertical tab separates them instead: Docker
 * splits fields on it, and JSON allows it nowhere.
 */
function fields(items: readonly string[]): string {
  const spaced = items.join(' ');
  return readJsonArray(spaced) === undefined ? spaced : items.join('\v');
}

const command = (form: CommandForm): string => (form.form === 'exec' ? jsonArray(form.args) : form.command);

function argsOf(i: Instruction): string {
  switch (i.kind) {
    case 'FROM':
      return i.stageName === undefined ? i.image : `${i.image} ${i.asKeyword ?? 'AS'} ${i.stageName}`;
    case 'RUN':
    case 'CMD':
    case 'ENTRYPOINT':
      return command(i.command);
    case 'SHELL':
      return jsonArray(i.args);
    case 'ENV':
    case 'LABEL': {
      const [first] = i.pairs;
      if (i.legacy && first !== undefined) return `${first.key} ${first.value}`;
      return i.pairs.map((p) => `${p.key}=${p.value}`).join(' ');
    }
    case 'ARG':
      return i.args
        .map((a) => (a.defaultValue === undefined ? a.name : `${a.name}=${a.defaultValue}`))
        .join(' ');
    case 'COPY':
    case 'ADD':
      return i.json ? jsonArray([...i.sources, i.dest]) : fields([...i.sources, i.dest]);
    case 'VOLUME':
      return i.json ? jsonArray(i.paths) : fields(i.paths);
    case 'EXPOSE':
      return i.ports.join(' ');
    case 'MAINTAINER':
      return i.name;
    case 'USER':
      return i.user;
    case 'WORKDIR':
      return i.path;
    case 'STOPSIGNAL':
      return i.signal;
    case 'HEALTHCHECK':
      return i.check.type === 'none' ? 'NONE' : `CMD ${command(i.check.command)}`;
    case 'ONBUILD':
      return printLine(i.instruction);
  }
}

function printLine(i: Instruction): string {
  const args = argsOf(i);
  // Arguments that start with `--` would read as flags; `--` ends the flags first.
  const guarded = args.startsWith('--') ? `-- ${args}` : args;
  return [i.keyword, ...i.flags.map(printFlag), guarded].filter((part) => part !== '').join(' ');
}

function heredocsOf(i: Instruction): readonly Heredoc[] {
  if (i.kind === 'ONBUILD') return heredocsOf(i.instruction);
  return i.kind === 'RUN' || i.kind === 'COPY' || i.kind === 'ADD' ? i.heredocs : [];
}

/** The instruction with its heredoc bodies, each followed by its delimiter line. */
export function printInstruction(i: Instruction): string {
  return [printLine(i), ...heredocsOf(i).map((h) => `${h.content}${h.name}`)].join('\n');
}

export function printDockerfile(ast: Dockerfile): string {
  const out: string[] = ast.directives.map((d) => `# ${d.name}=${d.value}`);
  type Item = { readonly offset: number; readonly text: string; readonly kind: 'comment' | 'from' | 'other' };
  // A comment line from inside an instruction's continuation is printed just before that instruction.
  const owner = (offset: number): number =>
    ast.instructions.find((i) => i.range.start.offset < offset && offset < i.range.end.offset)?.range.start
      .offset ?? offset;
  const items: Item[] = [
    ...ast.comments.map((c) => ({
      offset: owner(c.range.start.offset) - 0.5,
      text: `#${c.text}`,
      kind: 'comment' as const,
    })),
    ...ast.instructions.map((i) => ({
      offset: i.range.start.offset,
      text: printInstruction(i),
      kind: i.kind === 'FROM' ? ('from' as const) : ('other' as const),
    })),
  ].sort((a, b) => a.offset - b.offset);
  const first = items[0];
  // A leading comment that looks like a directive must not become one: an empty line ends the directives.
  const looksLikeDirective =
    first?.kind === 'comment' && createDirectiveScanner().scan(first.text).kind !== 'none';
  if (out.length > 0 || looksLikeDirective) out.push('');
  // Stages are separated by an empty line, placed above the comments that lead into the FROM.
  const breaks = new Set<number>();
  items.forEach((item, n) => {
    if (item.kind !== 'from') return;
    let start = n;
    while (start > 0 && items[start - 1]?.kind === 'comment') start--;
    if (start > 0) breaks.add(start);
  });
  items.forEach((item, n) => {
    if (breaks.has(n)) out.push('');
    out.push(item.text);
  });
  // An instruction that ends in a lone escape character only exists at the end of a
  // file (`RUN echo \ \` + EOF): print it the same way, or the escape would continue the line.
  const last = out.at(-1) ?? '';
  if (items.at(-1)?.kind !== 'comment' && continuationAt(last, ast.escape) !== -1) {
    return `${out.join('\n')} ${ast.escape}`;
  }
  return `${out.join('\n')}\n`;
}
