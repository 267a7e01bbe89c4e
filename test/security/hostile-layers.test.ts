import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStore } from '../../src/check/index.ts';
import {
  appendLayer,
  type Digest,
  OCI_LAYER,
  OCI_LAYER_GZIP,
  openImageStore,
  parseReference,
  resolveImage,
  sha256OfBytes,
  writeImage,
} from '../../src/image/index.ts';
import { createPack } from '../../src/image/tar/pax.ts';
import { buildTar, type RawEntry } from '../image/support/tar.ts';
import { findLeaks } from '../reliability/support/leaks.ts';
import { E2E_REASON, E2E_SKIP, tsbuild } from '../support/cli.ts';
import { hasRegistryBinary, startRegistry, type TestRegistry } from '../support/registry.ts';
import { fingerprint } from './fuzz/tar-inputs.ts';
import { useBusyboxStore } from './support/busybox-store.ts';

const file = (name: string, data = 'pwned'): RawEntry => ({ header: { name, type: 'file' }, data });
const symlink = (name: string, linkname: string): RawEntry => ({
  header: { name, type: 'symlink', linkname },
});
const hardlink = (name: string, linkname: string): RawEntry => ({ header: { name, type: 'link', linkname } });

interface Case {
  readonly name: string;
  readonly layers: (outside: string) => RawEntry[][];
  /** Refused (LAYER_UNSAFE, message matching), or built, with `check` true inside the container. */
  readonly outcome: { readonly refused: RegExp } | { readonly check: (outside: string) => string };
}

const cases: readonly Case[] = [
  {
    name: '.. in a file name',
    layers: () => [[file('../../../victim')]],
    outcome: { refused: /climbs out/ },
  },
  {
    name: 'absolute file name',
    layers: (o) => [[file(`${o}/victim`)]],
    outcome: { check: (o) => `test "$(cat ${o}/victim)" = pwned` },
  },
  {
    name: 'symlink out, then a file through it',
    layers: (o) => [[symlink('up', `../../../../../../../..${o}`), file('up/victim')]],
    outcome: { check: (o) => `test "$(cat ${o}/victim)" = pwned` },
  },
  {
    name: 'symlink planted by one layer, written through by the next',
    layers: (o) => [[symlink('planted', o)], [file('planted/victim')]],
    outcome: { check: (o) => `test "$(cat ${o}/victim)" = pwned` },
  },
  {
    name: 'hardlink to a host file',
    layers: (o) => [[hardlink('h', `${o}/victim`)]],
    outcome: { refused: /not in the layers/ },
  },
  {
    name: 'whiteout through a symlink to the host',
    layers: (o) => [[symlink('s', o)], [file('s/.wh.victim', '')]],
    outcome: { check: (o) => `test -L /s && test "$(readlink /s)" = ${o}` },
  },
  {
    name: 'a block device node',
    layers: () => [
      [{ header: { name: 'disk', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o60666 } }],
    ],
    outcome: { check: () => '! head -c 1 /disk' },
  },
];

/** A gzip stream (of concatenated members) of a tar whose one file is `gib` GiB of zeros. */
async function gzipBomb(gib: number): Promise<Buffer> {
  const size = gib * 1024 ** 3;
  const pack = createPack();
  const header: Buffer[] = [];
  pack.on('data', (chunk: unknown) => {
    header.push(chunk as Buffer);
  });
  pack.entry({
    name: 'zeros',
    type: 'file',
    size,
    mode: 0o644,
    mtime: new Date(0),
    pax: { size: String(size) },
  } as never);
  await new Promise((resolve) => setImmediate(resolve));
  const chunk = gzipSync(Buffer.alloc(64 << 20), { level: 9 });
  return Buffer.concat([gzipSync(Buffer.concat(header)), ...Array.from({ length: gib * 16 }, () => chunk)]);
}

describe.skipIf(E2E_SKIP || !hasRegistryBinary)(
  `hostile base layers from a registry (${E2E_REASON}, docker-registry)`,
  () => {
    const seed = useBusyboxStore('tsbuild-hostile-layers-');
    let registry: TestRegistry;
    let outside: string;
    let n = 0;

    beforeAll(async () => {
      registry = await startRegistry();
      outside = path.join(seed.dir, 'outside');
      await mkdir(path.join(outside, 'sub'), { recursive: true });
      await writeFile(path.join(outside, 'victim'), 'original');
      await writeFile(path.join(outside, 'sub', 'keep'), 'keep');
    });
    afterAll(async () => {
      await registry?.stop();
    });

    /** busybox:local plus `layers` (tar or gzip blobs) tagged in the seed store and pushed; returns its name. */
    async function pushImageOf(
      layers: readonly { bytes: Buffer; gzip: boolean; diffId: Digest }[],
    ): Promise<string> {
      const store = await openImageStore(seed.root);
      let image = (await resolveImage(store, 'busybox:local')).image;
      for (const layer of layers) {
        const stored = await store.blobs.put(layer.bytes);
        image = appendLayer(image, {
          descriptor: {
            mediaType: layer.gzip ? OCI_LAYER_GZIP : OCI_LAYER,
            digest: stored.digest,
            size: stored.size,
          },
          diffId: layer.diffId,
        });
      }
      const name = `${registry.host}/hostile/case-${++n}:1`;
      await store.refs.set(parseReference(name), await writeImage(store, image));
      const pushed = await tsbuild(['push', name], { root: seed.root });
      expect(pushed.code, pushed.stderr).toBe(0);
      return name;
    }

    async function buildFrom(image: string, run: string) {
      const context = path.join(seed.dir, `context-${n}`);
      await mkdir(context, { recursive: true });
      await writeFile(path.join(context, 'Dockerfile'), `FROM ${image}\nRUN ${run}\n`);
      const root = path.join(seed.dir, `store-${n}`);
      const result = await tsbuild(['build', '--progress=plain', context], { root });
      expect((await checkStore(root)).problems).toEqual([]);
      expect(await findLeaks(root)).toEqual([]);
      return result;
    }

    it.each(cases)('$name', async (c) => {
      const before = await fingerprint(outside);
      const tars = await Promise.all(c.layers(outside).map((entries) => buildTar(entries)));
      const image = await pushImageOf(
        tars.map((bytes) => ({ bytes, gzip: false, diffId: sha256OfBytes(bytes) })),
      );
      const outcome = c.outcome;
      const built = await buildFrom(image, 'refused' in outcome ? 'true' : outcome.check(outside));
      if ('refused' in outcome) {
        expect(built.code).toBe(1);
        expect(built.stderr).toMatch(outcome.refused);
      } else {
        expect(built.code, built.stderr).toBe(0);
      }
      expect(await fingerprint(outside)).toEqual(before);
    });

    it('stops a gzip bomb (20 MB expanding to 20 GiB) early', { timeout: 300_000 }, async () => {
      const bomb = await gzipBomb(20);
      expect(bomb.length).toBeLessThan(32 << 20);
      const image = await pushImageOf([
        { bytes: bomb, gzip: true, diffId: sha256OfBytes('not the real diff id') },
      ]);
      const built = await buildFrom(image, 'true');
      expect(built.code).toBe(1);
      expect(built.stderr).toMatch(/^error: .*layer .*expands to more than/m);
    });
  },
);
