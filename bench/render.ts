/**
 * Renders a results JSON of bench/compare.ts as Markdown again (after the report format changed,
 * or to paste a run elsewhere). Usage: node bench/render.ts bench/results/FILE.json
 */
import { readFile } from 'node:fs/promises';
import { renderMarkdown } from './lib/report.ts';
import type { BenchResults } from './lib/results.ts';

const [file] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node bench/render.ts RESULTS.json\n');
  process.exit(2);
}
process.stdout.write(`${renderMarkdown(JSON.parse(await readFile(file, 'utf8')) as BenchResults)}\n`);
