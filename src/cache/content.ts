import { createHash } from 'node:crypto';

export type EntryType = 'file' | 'dir' | 'symlink';

/** One path a COPY/ADD reads from the context, as it will land in the layer. */
export interface ContextEntry {
  /** Context-relative source path (slash-separated). */
  readonly path: string;
  /** Path relative to the destination: `.` is a copied directory itself, a name a file source. */
  readonly dest: string;
  readonly type: EntryType;
  /** Permission bits after the umask rule (see mode.ts) and `--chmod`. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** xxh64 of the content (hex) for files; empty otherwise. */
  readonly hash: string;
  readonly target?: string;
  /** Extended attributes, values base64. */
  readonly xattrs?: Readonly<Record<string, string>>;
}

/** The checksum of a selection and the entries it covers, in copy order. */
export interface ContentManifest {
  /** `sha256:<hex>` over the canonical entries; what goes into the cache key. */
  readonly digest: string;
  readonly entries: readonly ContextEntry[];
}

/**
 * sha256 over one JSON line per entry with a fixed field order (xattr names sorted), which is as
 * canonical as a generic canonical-JSON pass and several times faster on 50,000 entries.
 */
export function manifestOf(entries: readonly ContextEntry[]): ContentManifest {
  const hash = createHash('sha256').update('tsbuild.context.v1\n');
  for (const e of entries) {
    const xattrs =
      e.xattrs === undefined ? null : Object.entries(e.xattrs).sort(([a], [b]) => (a < b ? -1 : 1));
    const line = [e.path, e.dest, e.type, e.mode, e.uid, e.gid, e.size, e.hash, e.target ?? null, xattrs];
    hash.update(`${JSON.stringify(line)}\n`);
  }
  return { digest: `sha256:${hash.digest('hex')}`, entries };
}
