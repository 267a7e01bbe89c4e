import { once } from 'node:events';
import type { Pack } from 'tar-stream';
import type { LayerHeader } from './pax.ts';

/**
 * Adds one entry to a tar-stream pack and resolves once it is encoded, streaming `data` (which
 * must hold exactly `header.size` bytes) with backpressure. Pack's own header type is narrower
 * than LayerHeader, whose binary PAX values createPack() knows how to encode.
 */
export async function addPackEntry(
  pack: Pack,
  header: LayerHeader,
  data?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<void> {
  let settle!: (error?: Error | null) => void;
  const written = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  // The entry fails when the pack is destroyed mid-entry (its reader gave up: disk full,
  // cancelled); that ends the copy below, and must not surface as an unhandled rejection first.
  written.catch(() => undefined);
  const sink = pack.entry(header as Parameters<Pack['entry']>[0], settle);
  // A pack destroyed with an error destroys its entry with it: heard here, not by the process.
  sink.on('error', settle);
  if (header.type === 'file' || header.type === undefined) {
    if (data) {
      for await (const chunk of data) {
        if (sink.destroyed) break;
        if (!sink.write(chunk)) await Promise.race([once(sink, 'drain'), written]);
      }
    }
    if (!sink.destroyed) sink.end(null);
  }
  await written;
}
