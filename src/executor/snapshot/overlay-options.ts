/**
 * Overlay mount options. Paths are relative to `<root>/snapshots` (the mount runs from there) so
 * a long chain fits the kernel's one-page limit on mount data; features that would make the
 * upper dir more than a plain diff are switched off where the kernel has them.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';

/** Mount data is copied into one page; keep a margin for the kernel's own parsing. */
export const MAX_MOUNT_DATA = 4000;
/** overlayfs refuses more lower layers than this (OVL_MAX_STACK). */
export const MAX_OVERLAY_LAYERS = 500;

const PLAIN_DIFF_FEATURES = ['index', 'redirect_dir', 'metacopy'] as const;

let featureOptions: readonly string[] | undefined;

/** `name=off` for each feature this kernel's overlay module knows about. */
export function plainDiffOptions(): readonly string[] {
  if (featureOptions === undefined) {
    featureOptions = PLAIN_DIFF_FEATURES.filter((name) =>
      existsSync(`/sys/module/overlay/parameters/${name}`),
    ).map((name) => `${name}=off`);
  }
  return featureOptions;
}

function shorten(baseDir: string, path: string): string {
  const rel = relative(baseDir, path);
  return rel.startsWith('..') || rel === '' ? path : rel;
}

export interface OverlayLayout {
  readonly lowerDirs: readonly string[];
  readonly upperDir?: string;
  readonly workDir?: string;
}

/** The option string for a mount run with `baseDir` as its working directory. */
export function overlayOptions(baseDir: string, layout: OverlayLayout): string {
  const parts = [`lowerdir=${layout.lowerDirs.map((dir) => shorten(baseDir, dir)).join(':')}`];
  if (layout.upperDir !== undefined && layout.workDir !== undefined) {
    parts.push(
      `upperdir=${shorten(baseDir, layout.upperDir)}`,
      `workdir=${shorten(baseDir, layout.workDir)}`,
    );
  }
  return [...parts, ...plainDiffOptions()].join(',');
}

export function fitsOneMount(
  baseDir: string,
  layout: OverlayLayout,
  maxLayers = MAX_OVERLAY_LAYERS,
): boolean {
  return (
    layout.lowerDirs.length <= maxLayers &&
    overlayOptions(baseDir, layout).length <= MAX_MOUNT_DATA &&
    layout.lowerDirs.every((dir) => !dir.includes(':') && !dir.includes(','))
  );
}
