// Applies a layer file into a directory and prints the result as JSON: lets a test run
// applyLayer as another user (e.g. under setpriv as nobody).
import { createReadStream } from 'node:fs';
import { applyLayer } from '../../../src/image/index.ts';

const [layer, target] = process.argv.slice(2);
if (!layer || !target) throw new Error('usage: apply-cli.ts LAYER TARGET');
const result = await applyLayer(createReadStream(layer), target);
process.stdout.write(`${JSON.stringify(result)}\n`);
