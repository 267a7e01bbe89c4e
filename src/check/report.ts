/** What a store check finds, and how it is told to a human. */

/** The part of the store a finding is about. */
export type CheckArea = 'blob' | 'image' | 'tag' | 'cache' | 'snapshot' | 'temp';

/**
 * `corrupt`: the store promises something it cannot keep (a blob that hashes differently, a
 * record whose snapshot is gone). `leftover`: debris of a crashed process that the next start
 * sweeps away; harmless, but it should not survive a sweep.
 */
export type Severity = 'corrupt' | 'leftover';

export interface StoreProblem {
  readonly area: CheckArea;
  readonly severity: Severity;
  /** Path of the file or dir at fault, relative to the store root. */
  readonly path: string;
  readonly message: string;
}

export interface CheckCounts {
  readonly blobs: number;
  readonly blobBytes: number;
  readonly manifests: number;
  readonly indexes: number;
  readonly configs: number;
  readonly tags: number;
  readonly records: number;
  readonly snapshots: number;
}

export interface CheckReport {
  readonly root: string;
  /** Sorted by path, so two checks of one store print the same text. */
  readonly problems: readonly StoreProblem[];
  readonly counts: CheckCounts;
}

/** Collects findings while the checks run. */
export interface Findings {
  add(area: CheckArea, severity: Severity, path: string, message: string): void;
  list(): readonly StoreProblem[];
}

export function createFindings(): Findings {
  const problems: StoreProblem[] = [];
  return {
    add(area, severity, path, message) {
      problems.push({ area, severity, path, message });
    },
    list: () =>
      [...problems].sort((a, b) => a.path.localeCompare(b.path) || a.message.localeCompare(b.message)),
  };
}

export function isCorrupt(report: CheckReport): boolean {
  return report.problems.some((p) => p.severity === 'corrupt');
}

/** The human form: one line per finding, then totals and what to do. */
export function formatCheckReport(report: CheckReport): string {
  const c = report.counts;
  const lines = report.problems.map(
    (p) => `${p.severity === 'corrupt' ? 'CORRUPT' : 'LEFTOVER'} ${p.path}: ${p.message}`,
  );
  lines.push(
    `checked ${c.blobs} blobs (${c.blobBytes} bytes re-hashed), ${c.manifests} manifests, ${c.indexes} indexes, ` +
      `${c.configs} configs, ${c.tags} tags, ${c.records} cache records, ${c.snapshots} snapshots in ${report.root}`,
  );
  const corrupt = report.problems.filter((p) => p.severity === 'corrupt').length;
  const leftover = report.problems.length - corrupt;
  if (corrupt > 0) {
    lines.push(
      `${corrupt} corrupt: remove the tags or cache records named above (tsbuild rmi, tsbuild prune --all) and pull or build again`,
    );
  }
  if (leftover > 0)
    lines.push(`${leftover} leftovers of a crashed process: the next tsbuild command sweeps them`);
  if (report.problems.length === 0) lines.push('no problems found');
  return `${lines.join('\n')}\n`;
}
