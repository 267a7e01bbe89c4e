/**
 * Parser throughput over the shared corpus Dockerfiles (../shared/corpus/dockerfiles):
 * parse, parse + lint, and print, in MB/s after a warm-up.
 * Usage: node bench/parse.ts [seconds per measurement]   (prints numbers; asserts nothing)
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { lintDockerfile, parseDockerfile, printDockerfile } from '../src/parser/index.ts';

const seconds = Number(process.argv[2] ?? 3);
const corpus = path.resolve(import.meta.dirname, '../../shared/corpus/dockerfiles');
if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus}: this benchmark reads ../shared/corpus/dockerfiles`);
  process.exit(1);
}

const texts: string[] = [];
const walk = (dir: string): void => {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.Dockerfile')) texts.push(readFileSync(full, 'utf8'));
  }
};
walk(corpus);
const bytes = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0);
const lines = texts.reduce((sum, t) => sum + t.split('\n').length, 0);
console.log(`corpus: ${texts.length} files, ${(bytes / 1024).toFixed(0)} KiB, ${lines} lines`);

function measure(label: string, work: (text: string) => unknown): void {
  for (const text of texts) work(text); // warm-up: JIT and Chevrotain caches
  let rounds = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    for (const text of texts) work(text);
    rounds++;
    elapsed = performance.now() - start;
  }
  const mbps = (bytes * rounds) / (1024 * 1024) / (elapsed / 1000);
  const perFile = elapsed / (rounds * texts.length);
  console.log(
    `${label.padEnd(16)} ${mbps.toFixed(2).padStart(8)} MB/s  ${perFile.toFixed(3)} ms/file  (${rounds} rounds)`,
  );
}

measure('parse', (text) => parseDockerfile(text));
measure('parse + lint', (text) => lintDockerfile(parseDockerfile(text)));
const asts = new Map(texts.map((t) => [t, parseDockerfile(t).ast]));
measure('print', (text) => printDockerfile(asts.get(text) ?? parseDockerfile(text).ast));
