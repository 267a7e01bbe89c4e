/**
 * `--chmod` for COPY/ADD: octal (`755`, `0644`) or symbolic (`u+x,go-w`,
 * `a=rX`), applied to each copied entry's mode as chmod(1) would.
 */
import { TsbuildError } from '../errors.ts';

export type ChmodFn = (mode: number, type: 'file' | 'dir' | 'symlink') => number;

const WHO_BITS: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007, a: 0o7777 };
const PERM = /^([ugoa]*)([-+=])([rwxXst]*|[ugo])$/;

function permBits(perms: string, mode: number, isDir: boolean): number {
  let bits = 0;
  for (const p of perms) {
    if (p === 'r') bits |= 0o444;
    else if (p === 'w') bits |= 0o222;
    else if (p === 'x') bits |= 0o111;
    else if (p === 'X' && (isDir || (mode & 0o111) !== 0)) bits |= 0o111;
    else if (p === 's') bits |= 0o6000;
    else if (p === 't') bits |= 0o1000;
  }
  return bits;
}

/** Copying another class's bits (`g=u`): spread them over every class. */
function copyClass(cls: string, mode: number): number {
  const shift = cls === 'u' ? 6 : cls === 'g' ? 3 : 0;
  const three = (mode >> shift) & 0o7;
  return (three << 6) | (three << 3) | three;
}

export function parseChmod(text: string): ChmodFn {
  if (/^[0-7]{3,4}$/.test(text)) {
    const fixed = Number.parseInt(text, 8);
    return () => fixed;
  }
  const clauses = text.split(',');
  const parsed = clauses.map((clause) => {
    const m = PERM.exec(clause);
    if (m === null) {
      throw new TsbuildError('DF_PLAN', `--chmod=${text}: "${clause}" is not a mode`, {
        hint: 'use octal (e.g. 755) or symbolic modes (e.g. u+x,go-w)',
      });
    }
    return { who: m[1] === '' ? 'a' : m[1]!, op: m[2]!, perms: m[3]! };
  });
  return (mode, type) => {
    let result = mode & 0o7777;
    for (const { who, op, perms } of parsed) {
      let mask = 0;
      for (const w of who) mask |= WHO_BITS[w]!;
      const bits =
        (/^[ugo]$/.test(perms) ? copyClass(perms, result) : permBits(perms, result, type === 'dir')) & mask;
      if (op === '+') result |= bits;
      else if (op === '-') result &= ~bits;
      else result = (result & ~(mask & 0o777)) | bits;
    }
    return result;
  };
}
