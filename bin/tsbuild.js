#!/usr/bin/env node
// Entry point: refuse old Node with a clear message, turn on the compile cache
// (start-up time matters for no-op builds), then hand over to the CLI.
if (typeof process.getBuiltinModule !== 'function') {
  process.stderr.write(
    `tsbuild needs Node.js 22.3 or newer (24 LTS recommended); this is ${process.version}.\n` +
      'Inside the project, `npm install` provides Node 24 under node_modules/.bin, which `npm run` and `npx tsbuild` use.\n',
  );
  process.exit(2);
}
process.getBuiltinModule('node:module').enableCompileCache?.();
const { statSync } = process.getBuiltinModule('node:fs');
const mtime = (url) => statSync(url, { throwIfNoEntry: false })?.mtimeMs ?? -1;
// `npm run build` compiles src/ into dist/ (tsc) and then bundles it into dist/bundle
// (scripts/bundle.ts), which starts several times faster. A bundle older than the
// compiled tree is stale (tsc ran again since): the compiled tree is used instead.
const bundle = new URL('../dist/bundle/tsbuild.js', import.meta.url);
const compiled = new URL('../dist/cli/main.js', import.meta.url);
const { main } = await import((mtime(bundle) >= mtime(compiled) ? bundle : compiled).href);
process.exitCode = await main(process.argv.slice(2));
