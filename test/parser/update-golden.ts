/**
 * Writes the expected dump for golden cases that have none (or for all with
 * --force). Run: node_modules/.bin/node test/parser/update-golden.ts [--force]
 * Review every written file by hand before committing it: a golden that records
 * whatever the code does proves nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goldenCases, goldenDir, goldenDump } from './golden-dump.ts';

const force = process.argv.includes('--force');
for (const name of goldenCases()) {
  const expected = join(goldenDir, `${name}.json`);
  if (existsSync(expected) && !force) continue;
  writeFileSync(expected, goldenDump(readFileSync(join(goldenDir, `${name}.Dockerfile`), 'utf8')));
  console.log(`wrote ${name}.json`);
}
