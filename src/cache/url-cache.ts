/**
 * What ADD remembers about a downloaded URL: the validators to revalidate it with
 * (`If-None-Match`, `If-Modified-Since`) and the digest of the content it got, so an unchanged
 * URL costs one 304 answer and no download. One small JSON file per URL, written atomically.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from './atomic.ts';
import { sha256Hex } from './key.ts';
import { cacheLayout } from './layout.ts';

export interface UrlRecord {
  readonly url: string;
  readonly etag?: string;
  readonly lastModified?: string;
  /** sha256 of the content; the bytes are a blob of the image store. */
  readonly digest: string;
  readonly size: number;
  /** File name ADD gives the download (Content-Disposition, else the URL path's last part). */
  readonly filename: string;
}

export interface UrlCache {
  get(url: string): Promise<UrlRecord | undefined>;
  put(record: UrlRecord): Promise<void>;
}

export function openUrlCache(root: string): UrlCache {
  const fileOf = (url: string) => path.join(cacheLayout(root).urls, `${sha256Hex(url)}.json`);
  return {
    async get(url) {
      const text = await readFile(fileOf(url), 'utf8').catch(() => undefined);
      if (text === undefined) return undefined;
      const record = JSON.parse(text) as UrlRecord;
      return record.url === url ? record : undefined;
    },
    put: (record) => writeJsonAtomic(fileOf(record.url), record, cacheLayout(root).tmp),
  } satisfies UrlCache;
}
