/**
 * Generated contexts are kept in the work directory between harness runs (s6 alone is 800 MB and
 * takes most of a minute to write); a stamp of seed, scale and generator source decides reuse.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GeneratedScenario, generateScenarios, type ScenarioId } from './generate.ts';

interface Stamp {
  readonly key: string;
  readonly scenarios: readonly GeneratedScenario[];
}

async function generatorKey(seed: string, scale: number): Promise<string> {
  const hash = createHash('sha256').update(`${seed}\0${scale}\0`);
  for (const file of ['generate.ts', 'prng.ts']) hash.update(await readFile(join(import.meta.dirname, file)));
  return hash.digest('hex');
}

export async function ensureContexts(
  dir: string,
  seed: string,
  scale: number,
  ids: readonly ScenarioId[],
  say: (line: string) => void,
): Promise<Map<ScenarioId, GeneratedScenario>> {
  const key = await generatorKey(seed, scale);
  const stampPath = join(dir, 'stamp.json');
  const stamp: Stamp = existsSync(stampPath)
    ? (JSON.parse(await readFile(stampPath, 'utf8')) as Stamp)
    : { key, scenarios: [] };
  const kept = stamp.key === key ? stamp.scenarios.filter((s) => s.contexts.every((c) => existsSync(c))) : [];
  const have = new Map(kept.map((s) => [s.id, s]));
  const missing = ids.filter((id) => !have.has(id));
  if (missing.length > 0) {
    say(`generating contexts ${missing.join(', ')} (seed ${seed})`);
    for (const s of await generateScenarios({ seed, outDir: dir, scale, only: missing })) {
      say(`  ${s.id}: ${s.files} files, ${(s.bytes / 1e6).toFixed(1)} MB`);
      have.set(s.id, s);
    }
    await writeFile(stampPath, JSON.stringify({ key, scenarios: [...have.values()] }, null, 2));
  }
  return have;
}
