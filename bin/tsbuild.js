#!/usr/bin/env node
// Entry point: refuse old Node with a clear message, turn on the compile cache
// (start-up time matters for no-op builds), then hand over to the compiled CLI.
import module from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `tsbuild needs Node.js 22 or newer (24 LTS recommended); this is ${process.version}.\n` +
      'Inside the project, `npm install` provides Node 24 under node_modules/.bin, which `npm run` and `npx tsbuild` use.\n',
  );
  process.exit(2);
}
module.enableCompileCache?.();
const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
