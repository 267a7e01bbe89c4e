import { promises as fsp, lstatSync, type Stats } from 'node:fs';
import path from 'node:path';
import { TsbuildError } from '../../errors.ts';
import { isOverlayXattr, readXattrs } from './xattrs.ts';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
/** overlayfs's other whiteout form (an empty file carrying this xattr), used where 0/0 devices cannot be made. */
export const WHITEOUT_XATTR = 'trusted.overlay.whiteout';

/** One thing to put in a layer tar, in the order it must appear. */
export type LayerItem =
  | {
      readonly kind: 'entry';
      readonly name: string;
      readonly file: string;
      readonly stat: Stats;
      readonly xattrs: ReadonlyMap<string, Buffer>;
      readonly linkTarget?: string;
      readonly hardlinkTo?: string;
    }
  | { readonly kind: 'whiteout'; readonly name: string; readonly stat: Stats }
  | { readonly kind: 'opaque'; readonly name: string; readonly stat: Stats };

/** Byte order of UTF-8 names, so the order does not depend on JavaScript's UTF-16 comparison. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A file name as text for messages: printable ASCII as is, every other byte as `\xNN`. */
export function escapeFileName(raw: Uint8Array): string {
  let out = '';
  for (const byte of raw)
    out +=
      byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  return out;
}

/** Names travel as strings: one that is not valid UTF-8 would come back as another name. */
function utf8Name(raw: Buffer, prefix: string): string {
  const name = raw.toString('utf8');
  if (Buffer.from(name).equals(raw)) return name;
  throw new TsbuildError(
    'LAYER_UNSAFE',
    `cannot put "${prefix}${escapeFileName(raw)}" in a layer: its name is not valid UTF-8`,
    {
      hint: 'give the file a UTF-8 name, or remove it in the step that made it',
    },
  );
}

/** overlayfs's own whiteout; the xattr form (an empty marked file) is recognised once xattrs are read. */
function isDeviceWhiteout(stat: Stats): boolean {
  return stat.isCharacterDevice() && stat.rdev === 0;
}

/**
 * Walks an overlayfs upper dir depth-first in byte order of names: parents before children,
 * overlay whiteouts (0/0 char devices, or empty files with `trusted.overlay.whiteout`) as OCI
 * `.wh.<name>`, an opaque dir's `.wh..wh..opq` right
 * after the dir, hardlinks (same inode within the layer) pointing at the first path seen.
 */
export async function* walkSnapshot(root: string): AsyncGenerator<LayerItem> {
  const seenInodes = new Map<string, string>();

  async function* visit(dir: string, prefix: string): AsyncGenerator<LayerItem> {
    const names = (await fsp.readdir(dir, { encoding: 'buffer' }))
      .map((raw) => utf8Name(raw, prefix))
      .sort(byteOrder);
    for (const base of names) {
      const file = path.join(dir, base);
      const name = prefix + base;
      // Synchronous, like the xattr read below: a promise per entry costs more than the syscall.
      const stat = lstatSync(file);
      if (isDeviceWhiteout(stat)) {
        yield { kind: 'whiteout', name: `${prefix}${WHITEOUT_PREFIX}${base}`, stat };
        continue;
      }
      if (base.startsWith(WHITEOUT_PREFIX)) {
        throw new TsbuildError(
          'LAYER_UNSAFE',
          `cannot put "${name}" in a layer: names starting with .wh. mean deletion`,
          {
            hint: 'rename the file; OCI layers reserve the .wh. prefix for whiteouts',
          },
        );
      }
      if (stat.isSocket()) continue; // sockets cannot be archived; Docker drops them too
      const allXattrs = readXattrs(file);
      if (stat.isFile() && stat.size === 0 && allXattrs.has(WHITEOUT_XATTR)) {
        yield { kind: 'whiteout', name: `${prefix}${WHITEOUT_PREFIX}${base}`, stat };
        continue;
      }
      const xattrs = new Map([...allXattrs].filter(([k]) => !isOverlayXattr(k)));
      if (stat.isDirectory()) {
        yield { kind: 'entry', name: `${name}/`, file, stat, xattrs };
        if (allXattrs.get('trusted.overlay.opaque')?.toString() === 'y') {
          yield { kind: 'opaque', name: `${name}/${OPAQUE_MARKER}`, stat };
        }
        yield* visit(file, `${name}/`);
        continue;
      }
      if (stat.isSymbolicLink()) {
        yield { kind: 'entry', name, file, stat, xattrs, linkTarget: await fsp.readlink(file) };
        continue;
      }
      if (stat.isFile() && stat.nlink > 1) {
        const key = `${stat.dev}:${stat.ino}`;
        const first = seenInodes.get(key);
        if (first !== undefined) {
          yield { kind: 'entry', name, file, stat, xattrs, hardlinkTo: first };
          continue;
        }
        seenInodes.set(key, name);
      }
      yield { kind: 'entry', name, file, stat, xattrs };
    }
  }

  yield* visit(root, '');
}
