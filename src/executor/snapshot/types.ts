/** The snapshotter's contract: immutable committed layers plus active (writable) upper dirs. */

export type SnapshotterKind = 'overlay' | 'copy';

export type SnapshotState = 'active' | 'committed';

export interface SnapshotInfo {
  readonly id: string;
  readonly parent: string | undefined;
  readonly state: SnapshotState;
  readonly chainId: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  /** The layer's files in overlay upper-dir form. */
  readonly fsDir: string;
  readonly createdAt: string;
}

export interface CommitOptions {
  readonly chainId?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ActiveSnapshot {
  readonly id: string;
  /** How a container gets a root filesystem over this snapshot (see executor/rootfs.ts). */
  readonly kind: SnapshotterKind;
  /** Where the step's changes land: an overlay upper dir (whiteouts, opaque dirs). */
  readonly upperDir: string;
  /** Overlay work dir; same filesystem as upperDir, removed at commit. */
  readonly workDir: string;
  /** The parent chain's fs dirs, top first (empty for a snapshot on scratch). */
  readonly lowerDirs: readonly string[];
  commit(meta?: CommitOptions): Promise<string>;
  abort(): Promise<void>;
}

export interface Snapshotter {
  /** Which implementation is in use, and why (the copy fallback is reported, not silent). */
  resolveKind(): Promise<{ readonly kind: SnapshotterKind; readonly reason: string }>;
  prepare(parent: string | undefined): Promise<ActiveSnapshot>;
  get(id: string): Promise<SnapshotInfo>;
  lowerDirs(id: string): Promise<readonly string[]>;
  findByChainId(chainId: string): Promise<SnapshotInfo | undefined>;
  remove(id: string): Promise<void>;
  list(): Promise<readonly SnapshotInfo[]>;
  lookupPath(id: string, path: string, options?: LookupOptions): Promise<LookupResult>;
}

export interface LookupOptions {
  /** Follow a symlink in the last component too (default true), as open(2) would. */
  readonly followFinal?: boolean;
}

export type EntryType = 'file' | 'directory' | 'symlink' | 'other';

export type LookupResult =
  | {
      readonly kind: 'found';
      /** The path inside the rootfs after resolving symlinks, always absolute and normalised. */
      readonly path: string;
      readonly type: EntryType;
      /** Host path of the top-most copy of the entry (the one a merged view shows). */
      readonly hostPath: string;
      /** For directories: the layer dirs (top first) that contribute entries to it. */
      readonly layers: readonly string[];
    }
  | {
      readonly kind: 'missing';
      /** The resolved path that does not exist (parents resolved, so it can be created). */
      readonly path: string;
      /** The deepest existing ancestor directory (resolved), from which creation would start. */
      readonly existingParent: string;
      /** False when a parent exists but is not a directory: nothing can be created there. */
      readonly creatable: boolean;
    };
