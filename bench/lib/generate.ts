/**
 * Writes the benchmark scenarios' build contexts, deterministically from a seed: the same seed
 * (and scale) gives byte-identical trees. Every Dockerfile builds FROM `${BASE}`, a build argument
 * the harness sets to the loopback registry's busybox, so contexts do not depend on its port.
 * `scale` shrinks file counts and sizes for tests (1 = the sizes issue 8 asks for).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng, type Rng } from './prng.ts';

export const SCENARIO_IDS = ['s1', 's2', 's3', 's4', 's5', 's6'] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export interface GenerateOptions {
  readonly seed: string;
  readonly outDir: string;
  readonly scale?: number;
  readonly only?: readonly ScenarioId[];
}

/** What the harness needs to know about a generated scenario beyond its directory. */
export interface GeneratedScenario {
  readonly id: ScenarioId;
  /** Context directories: one, or the eight variants of s6. */
  readonly contexts: readonly string[];
  /** The file (relative to the context) that the one-file-change case edits. */
  readonly mutable?: string;
  readonly files: number;
  readonly bytes: number;
}

/** Sizes at scale 1. */
export const SIZES = {
  s2SourceFiles: 4_800,
  s2SourceBytes: [1_024, 16_384],
  s2Assets: 200,
  s2AssetBytes: [100_000, 500_000],
  s2RunFiles: 2_000,
  s3Stages: 4,
  s3SleepSeconds: 2,
  s4LayerBytes: 300_000_000,
  s5Files: 50_000,
  s5FileBytes: [16, 512],
  s6Builds: 8,
} as const;

const WORDS = (
  'const let return import export from function async await if else for while switch case ' +
  'default break new this class extends static yield typeof value index item list map set get ' +
  'key data result error config options state request response handler module require buffer ' +
  'stream path file name size count total render update create remove build cache layer image'
).split(' ');

interface Tally {
  files: number;
  bytes: number;
}

function scaled(n: number, scale: number): number {
  return Math.max(1, Math.round(n * scale));
}

/** Source-like text: lines of words, so it compresses like code does. */
function textOf(rng: Rng, size: number): string {
  let out = '';
  while (out.length < size) {
    const words: string[] = [];
    for (let i = rng.int(2, 10); i > 0; i--) words.push(rng.pick(WORDS));
    out += `${'  '.repeat(rng.int(0, 3))}${words.join(' ')};\n`;
  }
  return out.slice(0, size);
}

async function put(tally: Tally, path: string, content: string | Buffer): Promise<void> {
  await writeFile(path, content);
  tally.files += 1;
  tally.bytes += typeof content === 'string' ? Buffer.byteLength(content) : content.length;
}

async function dockerfile(tally: Tally, dir: string, lines: readonly string[]): Promise<void> {
  await put(tally, join(dir, 'Dockerfile'), `ARG BASE\n${lines.join('\n')}\n`);
}

async function s1(dir: string, seed: string, tally: Tally): Promise<void> {
  const rng = createRng(seed, 's1');
  await put(tally, join(dir, 'hello.txt'), textOf(rng, 200));
  await dockerfile(tally, dir, [
    'FROM $BASE',
    'WORKDIR /app',
    'COPY hello.txt .',
    'RUN wc -c hello.txt > size.txt',
    'CMD ["cat", "/app/hello.txt"]',
  ]);
}

async function s2(dir: string, seed: string, scale: number, tally: Tally, variant?: number): Promise<void> {
  const rng = createRng(seed, 's2');
  const deps: Record<string, string> = {};
  for (let i = 0; i < 20; i++) deps[`dep-${rng.pick(WORDS)}-${i}`] = `^${rng.int(1, 9)}.${rng.int(0, 20)}.0`;
  await put(
    tally,
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'app', dependencies: deps }, null, 2)}\n`,
  );
  const sources = scaled(SIZES.s2SourceFiles, scale);
  const perModule = 48;
  for (let i = 0; i < sources; i++) {
    const moduleDir = join(dir, 'src', `mod${String(Math.floor(i / perModule)).padStart(3, '0')}`);
    if (i % perModule === 0) await mkdir(moduleDir, { recursive: true });
    const size = scaled(rng.int(SIZES.s2SourceBytes[0], SIZES.s2SourceBytes[1]), scale);
    await put(tally, join(moduleDir, `file${String(i % perModule).padStart(2, '0')}.js`), textOf(rng, size));
  }
  await mkdir(join(dir, 'assets'), { recursive: true });
  for (let i = 0; i < scaled(SIZES.s2Assets, scale); i++) {
    const size = scaled(rng.int(SIZES.s2AssetBytes[0], SIZES.s2AssetBytes[1]), scale);
    await put(tally, join(dir, 'assets', `asset${String(i).padStart(3, '0')}.bin`), rng.bytes(size));
  }
  if (variant !== undefined) {
    await put(tally, join(dir, 'src', 'variant.js'), `export const variant = ${variant};\n`);
  }
  const runFiles = scaled(SIZES.s2RunFiles, scale);
  await dockerfile(tally, dir, [
    'FROM $BASE',
    'WORKDIR /app',
    'COPY package.json ./',
    `RUN mkdir -p deps && i=0 && while [ $i -lt ${runFiles} ]; do echo "module.exports = $i;" > deps/dep$i.js; i=$((i+1)); done`,
    'COPY . .',
    'RUN find . -type f | wc -l > /file-count && du -sk . > /disk-usage',
    'CMD ["sh"]',
  ]);
}

async function s3(dir: string, tally: Tally): Promise<void> {
  const names = Array.from({ length: SIZES.s3Stages }, (_, i) => `stage${i + 1}`);
  await dockerfile(tally, dir, [
    ...names.flatMap((n) => [
      `FROM $BASE AS ${n}`,
      `RUN sleep ${SIZES.s3SleepSeconds} && echo ${n} > /${n}.txt`,
    ]),
    'FROM $BASE',
    ...names.map((n) => `COPY --from=${n} /${n}.txt /out/`),
  ]);
}

async function s4(dir: string, scale: number, tally: Tally): Promise<void> {
  await dockerfile(tally, dir, [
    'FROM $BASE',
    `RUN head -c ${scaled(SIZES.s4LayerBytes, scale)} /dev/urandom > /big.bin`,
  ]);
}

async function s5(dir: string, seed: string, scale: number, tally: Tally): Promise<void> {
  const rng = createRng(seed, 's5');
  const perDir = 100;
  const files = scaled(SIZES.s5Files, scale);
  for (let i = 0; i < files; i++) {
    const sub = join(dir, 'files', `d${String(Math.floor(i / perDir)).padStart(3, '0')}`);
    if (i % perDir === 0) await mkdir(sub, { recursive: true });
    const size = rng.int(SIZES.s5FileBytes[0], SIZES.s5FileBytes[1]);
    await put(tally, join(sub, `f${String(i % perDir).padStart(2, '0')}.txt`), textOf(rng, size));
  }
  await dockerfile(tally, dir, ['FROM $BASE', 'COPY files /data']);
}

async function fresh(dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

async function one(id: ScenarioId, options: GenerateOptions): Promise<GeneratedScenario> {
  const scale = options.scale ?? 1;
  const tally: Tally = { files: 0, bytes: 0 };
  const dir = await fresh(join(options.outDir, id));
  switch (id) {
    case 's1':
      await s1(dir, options.seed, tally);
      return { id, contexts: [dir], ...tally };
    case 's2':
      await s2(dir, options.seed, scale, tally);
      return { id, contexts: [dir], mutable: 'src/mod000/file00.js', ...tally };
    case 's3':
      await s3(dir, tally);
      return { id, contexts: [dir], ...tally };
    case 's4':
      await s4(dir, scale, tally);
      return { id, contexts: [dir], ...tally };
    case 's5':
      await s5(dir, options.seed, scale, tally);
      return { id, contexts: [dir], ...tally };
    case 's6': {
      const contexts: string[] = [];
      for (let v = 1; v <= SIZES.s6Builds; v++) {
        const variant = await fresh(join(dir, `v${v}`));
        await s2(variant, options.seed, scale, tally, v);
        contexts.push(variant);
      }
      return { id, contexts, ...tally };
    }
  }
}

export async function generateScenarios(options: GenerateOptions): Promise<readonly GeneratedScenario[]> {
  const out: GeneratedScenario[] = [];
  for (const id of options.only ?? SCENARIO_IDS) out.push(await one(id, options));
  return out;
}
