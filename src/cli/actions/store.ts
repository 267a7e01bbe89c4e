/** What the store commands do: `du`, `prune` and `logs`. */
import {
  defaultRoot,
  diskUsage,
  listBuildRecords,
  pruneStore,
  readBuildRecord,
  readStepLog,
  TsbuildError,
} from '../../index.ts';
import { parseBytes } from '../build/values.ts';
import type { CliContext, GlobalArgs } from '../shared.ts';
import { formatSize, formatTable, timeAgo } from '../table.ts';

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 };

/** `24h`, `90m`, `7d`, `1h30m`. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new TsbuildError('USAGE', `"${text}" is not a duration`, { hint: 'e.g. 24h, 90m or 7d' });
  return parts.reduce((ms, p) => ms + Number(p[1]) * DURATION_UNITS[p[2]!]!, 0);
}

function rootOf(args: GlobalArgs): string {
  return args.root ?? defaultRoot();
}

export type DuArgs = GlobalArgs & { readonly verbose?: boolean; readonly format: string };
export type PruneArgs = GlobalArgs & {
  readonly all?: boolean;
  readonly filter?: string[];
  readonly 'keep-storage'?: string;
  readonly force?: boolean;
};
export type LogsArgs = GlobalArgs & {
  readonly build?: string;
  readonly step?: string;
  readonly format: string;
};

export async function duCommand(args: DuArgs, ctx: CliContext): Promise<void> {
  const usage = await diskUsage({ root: rootOf(args), verbose: args.verbose === true });
  if (args.format === 'json') {
    ctx.out(`${JSON.stringify(usage, null, 2)}\n`);
    return;
  }
  const rows: [string, string, string][] = [
    ['snapshots', String(usage.snapshots.count), formatSize(usage.snapshots.bytes)],
    ['blobs', String(usage.blobs.count), formatSize(usage.blobs.bytes)],
    ['cache mounts', String(usage.cacheMounts.count), formatSize(usage.cacheMounts.bytes)],
    ['cache records', String(usage.records.count), formatSize(usage.records.bytes)],
    ['build logs', String(usage.buildRecords.count), formatSize(usage.buildRecords.bytes)],
    ['total', '', formatSize(usage.totalBytes)],
  ];
  ctx.out(formatTable(['TYPE', 'COUNT', 'SIZE'], rows));
  if (usage.perRecord !== undefined && usage.perRecord.length > 0) {
    const now = Date.now();
    ctx.out('\n');
    ctx.out(
      formatTable(
        ['KEY', 'SIZE', 'LAST USED', 'DESCRIPTION'],
        usage.perRecord.map((r) => [
          r.key.replace(/^sha256:/, '').slice(0, 12),
          formatSize(r.bytes),
          timeAgo(new Date(r.lastUsed).toISOString(), now),
          r.description ?? '',
        ]),
      ),
    );
  }
}

export async function pruneCommand(args: PruneArgs, ctx: CliContext): Promise<void> {
  let untilMs: number | undefined;
  for (const f of args.filter ?? []) {
    const m = /^until=(.+)$/.exec(f);
    if (m === null) throw new TsbuildError('USAGE', `--filter ${f}: only until=DURATION is supported`);
    untilMs = parseDuration(m[1]!);
  }
  const report = await pruneStore({
    root: rootOf(args),
    ...(args.all === true && { all: true }),
    ...(untilMs !== undefined && { untilMs }),
    ...(args['keep-storage'] !== undefined && {
      keepStorage: parseBytes(args['keep-storage'], '--keep-storage'),
    }),
  });
  ctx.out(
    `Removed ${report.records} cache records, ${report.snapshots} snapshots, ${report.buildRecords} build logs\n` +
      `Total reclaimed space: ${formatSize(report.freedBytes)}\n`,
  );
}

export async function logsCommand(args: LogsArgs, ctx: CliContext): Promise<void> {
  const root = rootOf(args);
  if (args.build === undefined) {
    const records = await listBuildRecords(root);
    if (args.format === 'json') return void ctx.out(`${JSON.stringify(records, null, 2)}\n`);
    const now = Date.now();
    ctx.out(
      formatTable(
        ['BUILD', 'STARTED', 'STATUS', 'DURATION', 'TAGS'],
        records.map((r) => [
          r.id.slice(0, 12),
          timeAgo(r.startedAt, now),
          r.status,
          `${(r.durationMs / 1000).toFixed(1)}s`,
          r.tags.join(', '),
        ]),
      ),
    );
    return;
  }
  const record = await readBuildRecord(root, args.build);
  if (args.step === undefined) {
    if (args.format === 'json') return void ctx.out(`${JSON.stringify(record, null, 2)}\n`);
    ctx.out(
      formatTable(
        ['#', 'STATUS', 'DURATION', 'OUTPUT', 'STEP'],
        record.steps.map((s) => [
          String(s.n),
          s.status,
          s.durationMs === undefined ? '' : `${(s.durationMs / 1000).toFixed(1)}s`,
          formatSize(s.logBytes),
          s.name,
        ]),
      ),
    );
    return;
  }
  const { log } = await readStepLog(root, record, args.step);
  ctx.out(log);
}
