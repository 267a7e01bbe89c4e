/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): total sampled time, idle time, and the
 * functions and files with the most self time. Usage: node bench/cpuprofile-top.ts FILE [N]
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

const [file, count = '25'] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node bench/cpuprofile-top.ts FILE.cpuprofile [N]\n');
  process.exit(2);
}
const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/');
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const key = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const f = url === '' ? `(${functionName})` : shortUrl(url);
  byFile.set(f, (byFile.get(f) ?? 0) + us);
}
const ms = (us: number) => `${(us / 1000).toFixed(1)} ms`;
const top = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(count))
    .map(([k, us]) => `  ${ms(us).padStart(10)}  ${k}`)
    .join('\n');
console.log(`wall ${ms(profile.endTime - profile.startTime)}, sampled ${profile.samples.length}`);
console.log(`self time by function:\n${top(byFunction)}`);
console.log(`self time by file:\n${top(byFile)}`);
