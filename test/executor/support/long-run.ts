/**
 * Child process for the SIGKILL leak test: starts one long RUN in the given store and prints
 * `started` once the step's output shows it is running. The test then kills this process.
 * Usage: long-run.ts <root> <parentSnapshotId> <seconds>
 */
import { createRuncExecutor, createSnapshotter } from '../../../src/executor/index.ts';

const [root, parent, seconds] = process.argv.slice(2);
if (root === undefined || parent === undefined || seconds === undefined) {
  process.stderr.write('usage: long-run.ts <root> <parent> <seconds>\n');
  process.exit(2);
}
const snapshotter = createSnapshotter({ root, kind: 'overlay' });
const snapshot = await snapshotter.prepare(parent);
await createRuncExecutor({ root }).run(
  {
    snapshot,
    args: ['/bin/sh', '-c', `echo started; exec sleep ${seconds}`],
    env: [],
    cwd: '/',
    network: 'host',
  },
  { onOutput: (_stream, chunk) => process.stdout.write(chunk) },
);
