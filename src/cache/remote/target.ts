/**
 * Where an exported cache lives: a local OCI image layout or a registry repository. Both hold
 * one manifest (by tag) and content-addressed blobs; export and import only see this interface.
 */
import type { Readable } from 'node:stream';
import type { Descriptor, ImageManifest } from '../../image/index.ts';

export interface CacheTarget {
  /** For messages: `registry 127.0.0.1:5000/app:cache`, `directory /ci/cache`. */
  readonly where: string;
  /** The manifest the tag names (an index resolved to this host's platform), or undefined. */
  readManifest(signal?: AbortSignal): Promise<ImageManifest | undefined>;
  /** The blob's bytes; whoever stores them verifies digest and size. */
  readBlob(blob: Descriptor, signal?: AbortSignal): Promise<Readable>;
  /** Stores a blob unless present; `open` is called only when it has to be sent. */
  writeBlob(blob: Descriptor, open: () => Promise<Readable>, signal?: AbortSignal): Promise<void>;
  /** Stores the manifest under the tag; blobs it names must be written first. */
  writeManifest(bytes: Uint8Array, mediaType: string, signal?: AbortSignal): Promise<void>;
}
