import { TsbuildError } from '../errors.ts';

/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org): seconds since 1970 that clamp every timestamp an
 * image carries, so identical inputs give identical digests.
 */
export function parseSourceDateEpoch(value: string | number): number {
  const text = String(value).trim();
  if (!/^\d{1,12}$/.test(text)) {
    throw new TsbuildError(
      'USAGE',
      `invalid SOURCE_DATE_EPOCH "${value}": expected whole seconds since 1970`,
      {
        hint: 'set it to e.g. $(git log -1 --format=%ct)',
      },
    );
  }
  return Number(text);
}

/** Reads SOURCE_DATE_EPOCH from an environment; empty or unset means "not set". */
export function sourceDateEpochFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env.SOURCE_DATE_EPOCH;
  return value === undefined || value.trim() === '' ? undefined : parseSourceDateEpoch(value);
}

/** RFC 3339 in UTC with no fractional part when there is none, as Go writes it. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/** "Now" for a new config or history entry: the epoch when one is set, else the clock. */
export function createdTimestamp(sourceDateEpoch: number | undefined, now: Date = new Date()): string {
  return formatTimestamp(sourceDateEpoch === undefined ? now : new Date(sourceDateEpoch * 1000));
}

/** Clamps an RFC 3339 timestamp to the epoch (later times become the epoch; earlier stay). */
export function clampTimestamp(value: string | undefined, sourceDateEpoch: number): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms > sourceDateEpoch * 1000)
    return formatTimestamp(new Date(sourceDateEpoch * 1000));
  return value;
}

/** Clamps an mtime in seconds (used by the layer writer). */
export function clampSeconds(seconds: number, sourceDateEpoch: number | undefined): number {
  const whole = Math.max(0, Math.floor(seconds));
  return sourceDateEpoch === undefined ? whole : Math.min(whole, sourceDateEpoch);
}
