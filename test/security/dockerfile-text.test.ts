// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Dockerfile text with ${VAR} words.
/**
 * Hostile Dockerfile text through the parser and planner (no containers): huge lines, huge
 * instruction counts, deep `${}` nesting, invalid UTF-8, NUL bytes, directive tricks, a heredoc
 * that never ends. Each parses and plans, or fails with located errors; nothing throws anything
 * else, and nothing takes long enough to matter (the parser's fuzz bench times it).
 */
import { describe, expect, it } from 'vitest';
import { isTsbuildError } from '../../src/errors.ts';
import { type Diagnostic, parseDockerfile } from '../../src/parser/index.ts';
import { type BuildPlan, planBuild } from '../../src/plan/index.ts';

const PLATFORM = { os: 'linux', architecture: 'amd64' };

async function plan(text: string): Promise<BuildPlan> {
  const parsed = parseDockerfile(text);
  return planBuild(parsed.ast, {
    file: 'Dockerfile',
    buildArgs: new Map(),
    platform: PLATFORM,
    resolveImage: async (name) => {
      throw new Error(`no image lookups in this test (${name})`);
    },
  });
}

const at = (d: Diagnostic) => `${d.range.start.line}:${d.range.start.column} ${d.code} ${d.message}`;

describe('hostile Dockerfile text', () => {
  it('a 1 MiB line parses as one instruction', async () => {
    const word = 'x'.repeat(1 << 20);
    const parsed = parseDockerfile(`FROM scratch\nLABEL big=${word}\n`);
    expect(parsed.errors).toEqual([]);
    const built = await plan(`FROM scratch\nLABEL big=${word}\n`);
    expect(built.stages[0]?.config.labels).toEqual([['big', word]]);
  });

  it('100,000 instructions parse and plan', async () => {
    const text = `FROM scratch\n${Array.from({ length: 100_000 }, (_, i) => `ENV V${i % 100}=${i}\n`).join('')}`;
    const parsed = parseDockerfile(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.ast.instructions).toHaveLength(100_001);
    const built = await plan(text);
    expect(built.stages[0]?.config.env).toContainEqual(['V99', '99999']);
  });

  it('deeply nested ${} fails with a located expansion error instead of overflowing the stack', async () => {
    const depth = 100_000;
    const text = `FROM scratch\nARG A\nENV B=${'${A:-'.repeat(depth)}y${'}'.repeat(depth)}\n`;
    expect(parseDockerfile(text).errors).toEqual([]);
    const error = await plan(text).catch((e: unknown) => e);
    expect(isTsbuildError(error, 'DF_EXPAND'), String(error)).toBe(true);
    expect((error as { location?: { line: number } }).location?.line).toBe(3);
    expect((error as Error).message).toMatch(/nested deeper than \d+ levels$/);
    expect((error as Error).message.length).toBeLessThan(300);
    // Nesting as deep as any real Dockerfile goes still expands.
    const fine = await plan(`FROM scratch\nARG A\nENV B=${'${A:-'.repeat(100)}y${'}'.repeat(100)}\n`);
    expect(fine.stages[0]?.config.env).toContainEqual(['B', 'y']);
  });

  it('invalid UTF-8 is read as U+FFFD, as any text decoder does, and parses', async () => {
    const bytes = Buffer.concat([
      Buffer.from('FROM scratch\nLABEL x='),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('\n'),
    ]);
    const built = await plan(new TextDecoder().decode(bytes));
    expect(built.stages[0]?.config.labels).toEqual([['x', '\u{fffd}\u{fffd}\u{fffd}']]);
  });

  it('NUL bytes stay data: in a label they are kept, they never end a line or an instruction', async () => {
    const built = await plan('FROM scratch\nLABEL a=x\0y\nLABEL b=z\n');
    expect(built.stages[0]?.config.labels).toEqual([
      ['a', 'x\0y'],
      ['b', 'z'],
    ]);
  });

  it('directive tricks: a repeated escape directive is an error; late or unknown ones are comments', () => {
    expect(parseDockerfile('# escape=`\n# escape=\\\nFROM scratch\n').errors.map(at)).toEqual([
      '2:1 DF_PARSE only one escape parser directive can be used',
    ]);
    expect(parseDockerfile('# escape=x\nFROM scratch\n').errors.map(at)).toEqual([
      "1:1 DF_PARSE invalid escape token 'x' does not match ` or \\",
    ]);
    // After the first instruction a directive is just a comment: the escape stays `\`.
    const late = parseDockerfile('FROM scratch\n# escape=`\nRUN echo a\\\n b\n');
    expect(late.errors).toEqual([]);
    expect(late.ast.instructions).toHaveLength(2);
    // `# syntax=` naming a remote frontend is never fetched or run.
    const syntax = parseDockerfile('# syntax=evil.example/frontend:latest\nFROM scratch\n');
    expect(syntax.errors).toEqual([]);
  });

  it('a heredoc without its terminator is a located error, not a hang or a swallowed file', () => {
    const parsed = parseDockerfile('FROM scratch\nRUN <<EOF\necho hi\nRUN echo after\n');
    expect(parsed.errors.map(at)).toEqual(['2:1 DF_PARSE unterminated heredoc']);
  });

  it('errors found before any stage is known are located too', async () => {
    const noFrom = await plan('ARG A=1\n').catch((e: unknown) => e);
    expect(isTsbuildError(noFrom, 'DF_PLAN')).toBe(true);
    expect((noFrom as { location?: { line: number } }).location?.line).toBe(1);
    const badFrom = await plan('FROM scratch\nCOPY --from=${A^^} a /b\n').catch((e: unknown) => e);
    expect(isTsbuildError(badFrom, 'DF_EXPAND'), String(badFrom)).toBe(true);
    expect((badFrom as { location?: { line: number } }).location?.line).toBe(2);
  });
});
