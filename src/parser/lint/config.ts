/**
 * Which checks run and how findings are reported: the `# check=` directive
 * (`skip=A,B`, `skip=all`, `error=true`, `experimental=...`), overridden by the
 * BUILDKIT_DOCKERFILE_CHECK build argument as in BuildKit.
 */
export interface CheckConfig {
  readonly skip: ReadonlySet<string>;
  readonly skipAll: boolean;
  /** Findings are errors rather than warnings. */
  readonly asErrors: boolean;
  readonly experimental: ReadonlySet<string>;
}

export const DEFAULT_CONFIG: CheckConfig = {
  skip: new Set(),
  skipAll: false,
  asErrors: false,
  experimental: new Set(),
};

const list = (value: string): Set<string> =>
  new Set(
    value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  );

/** Parses a check configuration; throws an Error with a human message when it is malformed. */
export function parseCheckConfig(text: string): CheckConfig {
  const trimmed = text.trim();
  if (trimmed === '') return DEFAULT_CONFIG;
  let config: CheckConfig = DEFAULT_CONFIG;
  for (const part of trimmed.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) throw new Error(`invalid check option "${part}": expected key=value`);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'skip') {
      config = value === 'all' ? { ...config, skipAll: true } : { ...config, skip: list(value) };
    } else if (key === 'error') {
      const lower = value.toLowerCase();
      if (!['1', 't', 'true', '0', 'f', 'false'].includes(lower)) {
        throw new Error(`invalid check option "${part}": error takes true or false`);
      }
      config = { ...config, asErrors: ['1', 't', 'true'].includes(lower) };
    } else if (key === 'experimental') {
      config = { ...config, experimental: list(value) };
    } else {
      throw new Error(`invalid check option "${key}": use skip, error or experimental`);
    }
  }
  return config;
}

export function isEnabled(config: CheckConfig, check: string): boolean {
  return !config.skipAll && !config.skip.has(check);
}
