/**
 * rolldown plugins that take work out of the CLI's start-up which the
 * sources or their dependencies do at import time but most commands never need.
 */
import { builtinModules, createRequire } from 'node:module';
import type { Plugin } from 'rolldown';
import { parseAst } from 'rolldown/parseAst';

const PREFIX = '\0builtin:';
const LAZY_ADDON_PREFIX = '\0lazy-addon:';
/** The packages {@link lazyModulesPlugin} defers, wherever npm put them. */
const LAZY_MODULES = /\/node_modules\/(?:.+\/)?(string-width|wrap-ansi)\/index\.js$/;

/**
 * What a deferred module's function answers without setting up: printable ASCII is one column
 * per character in every string-width version (yargs' help is ASCII, so it needs no Unicode data).
 */
const FAST_PATHS: Readonly<Record<string, string>> = {
  'string-width':
    "if (typeof args[0] === 'string' && /^[\\x20-\\x7e]*$/.test(args[0])) return args[0].length;",
};

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function canonical(id: string): string | undefined {
  const name = id.startsWith('node:') ? id.slice(5) : id;
  return builtinModules.includes(name) ? `node:${name}` : undefined;
}

/**
 * Each export is read from the module object only if the importing module uses it (a pure call
 * the bundler drops otherwise), so getters nobody asked for never run.
 */
function moduleSource(id: string): string {
  const names = Object.keys(process.getBuiltinModule(id) ?? {}).filter(
    (n) => IDENTIFIER.test(n) && n !== 'default',
  );
  return [
    // Local names no built-in exports, so none collides with an export below.
    `const builtin$ = process.getBuiltinModule(${JSON.stringify(id)});`,
    'const read$ = (name) => builtin$[name];',
    'export default builtin$;',
    ...names.map((n) => `export const ${n} = /* @__PURE__ */ read$(${JSON.stringify(n)});`),
  ].join('\n');
}

/**
 * Node's built-in modules through `process.getBuiltinModule` instead of ESM
 * `import`. Node wraps a built-in imported from ESM in a facade that reads
 * every export once, getters included: for `node:http` that loads undici (its
 * lazy WebSocket export), 25-70 ms per CLI start here (nodejs/node#57649), and
 * `node:fs` loads the stream and promise APIs. Here only what is used is read.
 */
export function builtinsPlugin(): Plugin {
  return {
    name: 'tsbuild-builtins',
    resolveId(source, importer, extra) {
      const id = canonical(source);
      // `require()` of a built-in (in CommonJS dependencies) has no facade: leave it to rolldown.
      if (id === undefined || extra.kind === 'require-call') return null;
      // One copy per importing module, kept in its chunk: a chunk reads only the exports it uses.
      return { id: `${PREFIX}${id}\0${importer ?? ''}`, moduleSideEffects: false };
    },
    load(id) {
      return id.startsWith(PREFIX) ? moduleSource(id.slice(PREFIX.length).split('\0')[0]!) : null;
    },
  };
}

/**
 * string-width and wrap-ansi (yargs' help layout; the live view) do their
 * set-up at import: an `Intl.Segmenter`, which loads ICU's break data, and
 * regexps of Unicode properties (`\p{RGI_Emoji}` builds a set of thousands of
 * strings). yargs imports them at start though only help and the live view
 * measure text: ~20-25 ms of every command. Here their set-up runs on the first
 * call of the function they export instead.
 */
export function lazyModulesPlugin(): Plugin {
  return {
    name: 'tsbuild-lazy-modules',
    transform(code, id) {
      const match = LAZY_MODULES.exec(id);
      if (match === null) return null;
      const deferred = deferModuleBody(code, id, FAST_PATHS[match[1]!] ?? '');
      if (deferred === undefined) {
        this.warn(`${id} is not imports plus one default-exported function: left as it is`);
        return null;
      }
      return { code: deferred, map: null };
    },
  };
}

/** The module with everything but its imports run on the first call of its default export. */
function deferModuleBody(code: string, id: string, fastPath: string): string | undefined {
  const program = parseAst(code, { sourceType: 'module' }, id);
  const exports = program.body.filter((node) => node.type.startsWith('Export'));
  const exported = exports[0];
  if (
    exports.length !== 1 ||
    exported?.type !== 'ExportDefaultDeclaration' ||
    exported.declaration.type !== 'FunctionDeclaration' ||
    exported.declaration.id === null
  )
    return undefined;
  const name = exported.declaration.id.name;
  const source = (node: { start: number; end: number }) => code.slice(node.start, node.end);
  const imports = program.body.filter((node) => node.type === 'ImportDeclaration').map(source);
  const body = program.body
    .filter((node) => node.type !== 'ImportDeclaration')
    .map((node) => source(node === exported ? exported.declaration : node));
  return [
    ...imports,
    'let initialized;',
    `export default function ${name}(...args) {`,
    `  ${fastPath}`,
    `  initialized ??= (() => {\n${body.join('\n')}\nreturn ${name};\n})();`,
    '  return initialized(...args);',
    '}',
  ].join('\n');
}

/**
 * Native addons (`@napi-rs/xattr`) loaded on the first call of one of their
 * functions rather than when a chunk that might call them loads: dlopen and
 * the package's platform probing cost ~3 ms, and a no-op build reads no xattrs.
 */
export function lazyAddonsPlugin(packages: readonly string[]): Plugin {
  const require = createRequire(import.meta.url);
  return {
    name: 'tsbuild-lazy-addons',
    resolveId(source, _importer, extra) {
      if (!packages.includes(source) || extra.kind === 'require-call') return null;
      return { id: `${LAZY_ADDON_PREFIX}${source}`, moduleSideEffects: false };
    },
    load(id) {
      if (!id.startsWith(LAZY_ADDON_PREFIX)) return null;
      const name = id.slice(LAZY_ADDON_PREFIX.length);
      const exports = require(name) as Record<string, unknown>;
      const functions = Object.keys(exports).filter(
        (n) => IDENTIFIER.test(n) && typeof exports[n] === 'function',
      );
      return [
        "import { createRequire } from 'node:module';",
        'let addon$;',
        `const load$ = () => (addon$ ??= createRequire(import.meta.url)(${JSON.stringify(name)}));`,
        ...functions.map((n) => `export const ${n} = (...args) => load$().${n}(...args);`),
      ].join('\n');
    },
  };
}
