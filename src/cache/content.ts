import { canonicalJson, sha256Hex } from './key.ts';

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

export function manifestOf(entries: readonly ContextEntry[]): ContentManifest {
  return { digest: `sha256:${sha256Hex(canonicalJson(entries))}`, entries };
}
