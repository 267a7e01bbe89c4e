/**
 * Bundles the command line (src/cli/main.ts, with the library and its npm
 * dependencies) into dist/bundle/: the entry `tsbuild.js`, which bin/tsbuild.js
 * imports, and chunks that commands import when they run. A few files load
 * much faster than the ~400 modules of the compiled tree, and each command
 * loads only its chunks (`version` neither the parser nor the store; a
 * `--host` build only the daemon client). Run: node scripts/bundle.ts [OUTDIR]
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { rolldown } from 'rolldown';
import { builtinsPlugin, lazyAddonsPlugin, lazyModulesPlugin } from './bundle-plugins.ts';

const REPO = resolve(import.meta.dirname, '..');
const SRC = join(REPO, 'src/');
export const DEFAULT_OUT_DIR = join(REPO, 'dist/bundle');
export const ENTRY_FILE = 'tsbuild.js';

/**
 * A chunk left by an earlier bundle is deleted only when it is this old: a
 * process started from that bundle may still import it lazily.
 */
const STALE_AFTER_MS = 60 * 60 * 1000;

export interface BundledChunk {
  readonly fileName: string;
  readonly isEntry: boolean;
  /** The module a dynamic import of this chunk stands for, if any. */
  readonly facadeModuleId: string | null;
  /** Absolute paths of the modules it holds. */
  readonly moduleIds: readonly string[];
  /** Chunks it imports statically (loaded with it) and dynamically (loaded on demand). */
  readonly imports: readonly string[];
  readonly dynamicImports: readonly string[];
  readonly bytes: number;
}

export interface BundleReport {
  readonly outDir: string;
  readonly chunks: readonly BundledChunk[];
}

/** Writes through a temporary name and a rename, so a running CLI never reads half a file. */
async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  await writeFile(temp, data);
  await rename(temp, path);
}

async function pruneStale(outDir: string, keep: ReadonlySet<string>): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(outDir)) {
    if (keep.has(name)) continue;
    const path = join(outDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info !== undefined && now - info.mtimeMs > STALE_AFTER_MS) await rm(path, { force: true });
  }
}

export async function bundleCli(outDir: string = DEFAULT_OUT_DIR): Promise<BundleReport> {
  const bundle = await rolldown({
    input: { tsbuild: join(SRC, 'cli/main.ts') },
    platform: 'node',
    cwd: REPO,
    // ink's optional devtools, never installed. The native addon stays in node_modules (lazyAddonsPlugin).
    external: ['react-devtools-core'],
    plugins: [builtinsPlugin(), lazyModulesPlugin(), lazyAddonsPlugin(['@napi-rs/xattr'])],
    // Our modules only define things: one whose exports a chunk does not use is left out of it,
    // which is what keeps the engine out of `version`, `--help` and `--host` builds.
    treeshake: { moduleSideEffects: (id) => (id.startsWith(SRC) ? false : undefined) },
    // Production builds: React's (the live view) and our parser's (no grammar self-checks).
    transform: { define: { 'process.env.NODE_ENV': '"production"' } },
    logLevel: 'warn',
  });
  try {
    const { output } = await bundle.generate({
      format: 'esm',
      entryFileNames: ENTRY_FILE,
      chunkFileNames: '[name]-[hash].js',
      sourcemap: true,
    });
    await mkdir(outDir, { recursive: true });
    const written = new Set<string>();
    // Chunks first and the entry last: chunk names carry a content hash, so a process running the
    // previous entry keeps finding the chunks it expects.
    const files = [...output].sort(
      (a, b) => Number(a.fileName === ENTRY_FILE) - Number(b.fileName === ENTRY_FILE),
    );
    for (const file of files) {
      if (file.type === 'chunk') {
        await writeAtomic(join(outDir, file.fileName), file.code);
        if (file.map !== null) {
          await writeAtomic(join(outDir, `${file.fileName}.map`), file.map.toString());
          written.add(`${file.fileName}.map`);
        }
      } else await writeAtomic(join(outDir, file.fileName), file.source);
      written.add(file.fileName);
    }
    await pruneStale(outDir, written);
    const chunks = output.flatMap((c): BundledChunk[] =>
      c.type === 'chunk'
        ? [
            {
              fileName: c.fileName,
              isEntry: c.isEntry,
              facadeModuleId: c.facadeModuleId,
              moduleIds: c.moduleIds,
              imports: c.imports,
              dynamicImports: c.dynamicImports,
              bytes: Buffer.byteLength(c.code),
            },
          ]
        : [],
    );
    return { outDir, chunks };
  } finally {
    await bundle.close();
  }
}

if (import.meta.main) {
  const started = performance.now();
  const report = await bundleCli(process.argv[2] === undefined ? undefined : resolve(process.argv[2]));
  const bytes = report.chunks.reduce((sum, c) => sum + c.bytes, 0);
  process.stdout.write(
    `bundle: ${report.chunks.length} chunks, ${(bytes / 1e6).toFixed(1)} MB in ${report.outDir} (${Math.round(performance.now() - started)} ms)\n`,
  );
}
