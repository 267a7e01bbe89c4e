// A separate process writing into a shared store, for the concurrency tests (run by Node directly).
import { createHash } from 'node:crypto';
import {
  appendLayer,
  emptyImage,
  openImageStore,
  parseReference,
  writeImage,
} from '../../../src/image/index.ts';

const [root, mode, id = '0'] = process.argv.slice(2);
if (!root || !mode) throw new Error('usage: store-writer.ts ROOT race|hang [ID]');

/** The same 4 MiB in every process: a hash chain, so no process can finish it much earlier. */
function sharedBlob(): Buffer {
  const parts: Buffer[] = [];
  let block = Buffer.from('seed');
  for (let i = 0; i < 4 * 1024 * 32; i++) {
    block = createHash('sha256').update(block).digest();
    parts.push(block);
  }
  return Buffer.concat(parts);
}

const store = await openImageStore(root);
if (mode === 'race') {
  const bytes = sharedBlob();
  for (let round = 0; round < 5; round++) {
    const { digest, size } = await store.blobs.put(
      (async function* () {
        for (let i = 0; i < bytes.length; i += 256 << 10) yield bytes.subarray(i, i + (256 << 10));
      })(),
    );
    const layer = {
      descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size },
      diffId: digest,
    };
    const image = appendLayer(emptyImage({ sourceDateEpoch: 0 }), layer, {
      created_by: `writer ${id} round ${round}`,
    });
    await store.refs.set(parseReference('race:latest'), await writeImage(store, image));
  }
  process.stdout.write('done\n');
} else {
  // Write part of a blob, say so, then hang until killed: a crash in the middle of ingest.
  await store.blobs.put(
    (async function* () {
      yield Buffer.alloc(1 << 20, 1);
      process.stdout.write('writing\n');
      await new Promise(() => {});
    })(),
  );
}
