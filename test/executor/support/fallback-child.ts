/**
 * Child process for the copy-fallback test, run where the store sits on overlayfs: lets the
 * snapshotter choose its kind, runs one step, prints the decision, the step's diff and its layer's
 * entry names as JSON.
 * Usage: fallback-child.ts <root>
 */
import { createRuncExecutor, createSnapshotter } from '../../../src/executor/index.ts';
import { packLayer } from '../../../src/image/index.ts';
import { readTar } from '../../image/support/tar.ts';
import { populateBusybox } from './busybox.ts';
import { describeTree } from './tree.ts';

const root = process.argv[2];
if (root === undefined) {
  process.stderr.write('usage: fallback-child.ts <root>\n');
  process.exit(2);
}
const snapshotter = createSnapshotter({ root, kind: 'auto' });
const decision = await snapshotter.resolveKind();
const base = await snapshotter.prepare(undefined);
await populateBusybox(base.upperDir);
const active = await snapshotter.prepare(await base.commit());
await createRuncExecutor({ root }).run({
  snapshot: active,
  args: ['/bin/sh', '-c', 'echo hi > /hello && rm /bin/ls'],
  env: [],
  cwd: '/',
  network: 'none',
});
const diff = await describeTree(active.upperDir);
// What a layer writer makes of the xattr whiteouts: OCI `.wh.` entries, nothing else.
const layer = (await readTar(packLayer(active.upperDir))).map((entry) => entry.header.name);
// The next step is built on the committed copy snapshot: its whiteouts must hide /bin/ls.
const next = await snapshotter.prepare(await active.commit());
const output: Buffer[] = [];
await createRuncExecutor({ root }).run(
  {
    snapshot: next,
    args: ['/bin/sh', '-c', 'ls /bin/ls 2>&1; cat /hello'],
    env: [],
    cwd: '/',
    network: 'none',
  },
  { onOutput: (_stream, chunk) => output.push(chunk) },
);
process.stdout.write(
  JSON.stringify({ decision, kind: active.kind, diff, layer, next: Buffer.concat(output).toString() }),
);
