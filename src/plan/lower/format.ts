/** Text helpers for progress lines and history `created_by` entries. */

/** An instruction's source as one line: continuations joined, runs of blanks folded. */
export function oneLine(source: string): string {
  return source
    .replace(/[\\`]\r?\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A list printed as Go's `%q` (quoted) or `%v` (bare) does, as Docker's history shows it. */
export function goList(items: readonly string[], quoted = true): string {
  return `[${items.map((s) => (quoted ? JSON.stringify(s) : s)).join(' ')}]`;
}

/** A digit string without trailing zeros after the point: 1500 over 1000 -> "1.5". */
function fraction(value: number, unit: number, digits: number): string {
  const whole = Math.floor(value / unit);
  const rest = value % unit;
  return rest === 0 ? `${whole}` : `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Nanoseconds as Go's `time.Duration.String()` prints them: `0s`, `500ms`, `1m30s`, `1h0m0s`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let n = Math.abs(Math.round(ns));
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${fraction(n, 1e3, 3)}µs`;
  if (n < 1e9) return `${sign}${fraction(n, 1e6, 6)}ms`;
  const hours = Math.floor(n / 3600e9);
  n -= hours * 3600e9;
  const minutes = Math.floor(n / 60e9);
  n -= minutes * 60e9;
  const seconds = `${fraction(n, 1e9, 9)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  return minutes > 0 ? `${sign}${minutes}m${seconds}` : `${sign}${seconds}`;
}
