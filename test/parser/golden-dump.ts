/**
 * The golden dump of a Dockerfile: the parse result as JSON, with each range
 * written compactly as "line:column-line:column" and the `source` text left out,
 * so a reviewer can check positions at a glance.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile, parseResultToJSON } from '../../src/parser/index.ts';

export const goldenDir = join(import.meta.dirname, 'golden');

export function goldenCases(): string[] {
  return readdirSync(goldenDir)
    .filter((f) => f.endsWith('.Dockerfile'))
    .map((f) => f.slice(0, -'.Dockerfile'.length))
    .sort();
}

interface PositionJSON {
  readonly line: number;
  readonly column: number;
}

function compact(this: unknown, key: string, value: unknown): unknown {
  // An instruction's `source` text repeats the Dockerfile; a mount's `source` is data and stays.
  if (key === 'source' && typeof this === 'object' && this !== null && 'kind' in this) return undefined;
  if (key === 'range' && value !== null && typeof value === 'object') {
    const { start, end } = value as { start: PositionJSON; end: PositionJSON };
    return `${start.line}:${start.column}-${end.line}:${end.column}`;
  }
  return value;
}

export function goldenDump(text: string): string {
  return `${JSON.stringify(parseResultToJSON(parseDockerfile(text)), compact, 2)}\n`;
}
