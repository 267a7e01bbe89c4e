/**
 * `--flag` words: decoding them as Docker's flag extraction does (quotes group,
 * backslash escapes) and checking them against what each instruction accepts.
 */
import type { RawFlag } from './ast.ts';
import { closestMatch } from './suggest.ts';

export type FlagType = 'string' | 'bool' | 'strings';
export type FlagSpec = Readonly<Record<string, FlagType>>;

/** Removes flag-word quoting: quotes are dropped, a backslash takes the next character literally. */
export function decodeFlagWord(word: string): string {
  let out = '';
  let quote = '';
  for (let i = 0; i < word.length; i++) {
    const ch = word[i] ?? '';
    if (quote === '' && (ch === '"' || ch === "'")) quote = ch;
    else if (quote !== '' && ch === quote) quote = '';
    else if (ch === '\\') {
      if (i + 1 < word.length) out += word[++i];
      // A trailing backslash inside quotes also ends the quote.
      else quote = '';
    } else out += ch;
  }
  return out;
}

/** Splits a decoded `--name[=value]` word. */
export function splitFlag(decoded: string): { name: string; value: string | undefined } {
  const body = decoded.slice(2);
  const eq = body.indexOf('=');
  return eq === -1
    ? { name: body, value: undefined }
    : { name: body.slice(0, eq), value: body.slice(eq + 1) };
}

export interface FlagValues {
  string(name: string): string | undefined;
  bool(name: string): boolean | undefined;
  strings(name: string): readonly string[];
}

export interface FlagProblem {
  readonly flag: RawFlag;
  readonly message: string;
  readonly hint?: string;
}

/** Interprets flags against a spec. Problems are returned, not thrown; values of bad flags are left out. */
export function interpretFlags(
  flags: readonly RawFlag[],
  spec: FlagSpec,
): { values: FlagValues; problems: FlagProblem[] } {
  const strings = new Map<string, string>();
  const bools = new Map<string, boolean>();
  const lists = new Map<string, string[]>();
  const problems: FlagProblem[] = [];
  const seen = new Set<string>();
  const known = Object.keys(spec);
  for (const flag of flags) {
    const { name, value } = flag;
    const type = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (type === undefined) {
      const near = closestMatch(name, known);
      problems.push({
        flag,
        message: `unknown flag: ${name}`,
        hint:
          near !== undefined
            ? `did you mean --${near}?`
            : known.length === 0
              ? 'this instruction takes no flags'
              : `valid flags are ${known.map((k) => `--${k}`).join(', ')}`,
      });
      continue;
    }
    if (seen.has(name) && type !== 'strings') {
      problems.push({ flag, message: `duplicate flag specified: ${name}`, hint: `give --${name} only once` });
      continue;
    }
    seen.add(name);
    if (type === 'bool') {
      const lower = value?.toLowerCase();
      if (value === '') problems.push({ flag, message: `missing a value on flag: ${name}` });
      else if (lower === undefined || lower === 'true') bools.set(name, true);
      else if (lower === 'false') bools.set(name, false);
      else problems.push({ flag, message: `expecting boolean value for flag ${name}, not: ${value}` });
      continue;
    }
    if (value === undefined) {
      problems.push({ flag, message: `missing a value on flag: ${name}`, hint: `write --${name}=<value>` });
      continue;
    }
    if (type === 'string') strings.set(name, value);
    else lists.set(name, [...(lists.get(name) ?? []), value]);
  }
  return {
    values: {
      string: (name) => strings.get(name),
      bool: (name) => bools.get(name),
      strings: (name) => lists.get(name) ?? [],
    },
    problems,
  };
}
