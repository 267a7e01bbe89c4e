/**
 * Image commands as library functions over one store: what `tsbuild images`,
 * `tag`, `inspect` and `history` do, callable by build servers too.
 */
import { defaultRoot } from './builder/services.ts';
import {
  familiarName,
  type HistoryRow,
  type ImageInspect,
  type ImageStore,
  type ImageSummary,
  imageHistory,
  inspectImage,
  listImages,
  openImageStore,
  tagImage,
} from './image/index.ts';

export type { HistoryRow, ImageInspect, ImageSummary };

export interface StoreOptions {
  /** Store root; same default as builds. */
  readonly root?: string;
}

export async function openStore(options: StoreOptions = {}): Promise<ImageStore> {
  return openImageStore(options.root ?? defaultRoot());
}

export async function images(options: StoreOptions = {}): Promise<readonly ImageSummary[]> {
  return listImages(await openStore(options));
}

export async function tag(source: string, target: string, options: StoreOptions = {}): Promise<string> {
  return familiarName(await tagImage(await openStore(options), source, target));
}

export async function inspect(name: string, options: StoreOptions = {}): Promise<ImageInspect> {
  return inspectImage(await openStore(options), name);
}

export async function history(name: string, options: StoreOptions = {}): Promise<readonly HistoryRow[]> {
  return imageHistory(await openStore(options), name);
}
