/**
 * What happens to a built image besides the local store: `-o type=oci|docker`
 * archives, `type=local|tar` root filesystems, and `--push` /
 * `type=registry`. Each output is a phase of the build's events, so the
 * progress views show it.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BuildEvent, BuildResult } from './build.ts';
import type { BuildOutputOptions, OutputSpec } from './build-outputs.ts';
import { phase } from './builder/events.ts';
import {
  applyLayer,
  ensureCompressed,
  type ImageStore,
  openImageStore,
  packLayer,
  resolveImage,
  saveImages,
} from './image/index.ts';
import { pushImage } from './registry/index.ts';

type Emit = (event: BuildEvent) => void;
type Progress = (current: number, total?: number) => void;

/**
 * Writes to a file path or a stream (left open: it may be standard output), reporting the bytes
 * written so far.
 */
async function toDest(
  dest: string | NodeJS.WritableStream,
  progress: Progress,
  write: (out: NodeJS.WritableStream) => Promise<unknown>,
): Promise<void> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      progress(bytes);
      done(null, chunk);
    },
  });
  const target = typeof dest === 'string' ? createWriteStream(dest) : dest;
  const flowing = pipeline(counter, target, { end: typeof dest === 'string' });
  await write(counter);
  counter.end();
  await flowing;
}

/** The image's layers applied in order into `dir`; progress counts layer bytes. */
async function unpackRootfs(
  store: ImageStore,
  imageId: string,
  dir: string,
  progress: Progress,
): Promise<void> {
  const { manifest } = await resolveImage(store, imageId);
  await mkdir(dir, { recursive: true });
  const total = manifest.layers.reduce((n, l) => n + l.size, 0);
  let done = 0;
  for (const layer of manifest.layers) {
    await applyLayer(await store.blobs.open(layer.digest), dir);
    done += layer.size;
    progress(done, total);
  }
}

async function exportOne(
  store: ImageStore,
  result: BuildResult,
  output: OutputSpec,
  options: BuildOutputOptions,
  progress: Progress,
): Promise<void> {
  switch (output.type) {
    case 'image':
    case 'registry':
      if (output.type === 'registry' || output.push === true)
        await pushTags(store, result, options, progress);
      return;
    case 'docker':
    case 'oci': {
      const names = result.tags.length > 0 ? result.tags : [result.imageId];
      await toDest(output.dest, progress, async (out) => {
        await saveImages(store, names, out, {
          format: output.type,
          compression: output.compression ?? 'gzip',
          ...(output.compressionLevel !== undefined && { level: output.compressionLevel }),
        });
      });
      return;
    }
    case 'local':
      await unpackRootfs(store, result.imageId, output.dest, progress);
      return;
    case 'tar': {
      const scratch = await mkdtemp(join(store.root, 'tmp', 'export-'));
      try {
        await unpackRootfs(store, result.imageId, scratch, () => {});
        await toDest(output.dest, progress, (out) => pipeline(packLayer(scratch), out, { end: false }));
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }
  }
}

/** Pushes every tag; progress sums the bytes sent of every blob started so far. */
async function pushTags(
  store: ImageStore,
  result: BuildResult,
  options: BuildOutputOptions,
  progress: Progress,
): Promise<void> {
  const sizes = new Map<string, number>();
  const sent = new Map<string, number>();
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  for (const tag of result.tags)
    await pushImage(store, tag, undefined, {
      ensureCompressed: (layer, choice) => ensureCompressed(store, layer, choice),
      ...(options.insecureRegistries !== undefined && { insecureRegistries: options.insecureRegistries }),
      onProgress: (e) => {
        if (e.kind === 'blob-start') sizes.set(e.digest, e.size);
        else if (e.kind === 'blob-progress') sent.set(e.digest, e.sent);
        else if (e.kind === 'blob-done') sent.set(e.digest, e.size);
        else return;
        progress(sum(sent), sum(sizes));
      },
    });
}

function describe(output: OutputSpec): string {
  const dest = 'dest' in output ? (typeof output.dest === 'string' ? output.dest : 'standard output') : '';
  switch (output.type) {
    case 'image':
      return 'pushing image';
    case 'registry':
      return 'pushing image to its registry';
    case 'local':
      return `exporting root filesystem to ${dest}`;
    default:
      return `exporting to ${output.type} archive ${dest}`;
  }
}

/** Runs the build's outputs after the image is in the store at `root`. */
export async function exportBuildOutputs(
  root: string,
  result: BuildResult,
  options: BuildOutputOptions,
  emit: Emit = () => {},
): Promise<void> {
  const outputs: OutputSpec[] = [...(options.outputs ?? [])];
  if (options.push === true && !outputs.some((o) => o.type === 'registry' || (o.type === 'image' && o.push)))
    outputs.push({ type: 'registry' });
  const work = outputs.filter((o) => o.type !== 'image' || o.push === true);
  if (work.length === 0) return;
  const store = await openImageStore(root);
  for (const [i, output] of work.entries())
    await phase(emit, { id: `output-${i}`, name: describe(output) }, (progress) =>
      exportOne(store, result, output, options, progress),
    );
}
