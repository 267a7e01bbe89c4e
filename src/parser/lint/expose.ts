/** EXPOSE checks: ExposeProtoCasing, ExposeInvalidFormat. */
import type { LintCheck } from './model.ts';

export const exposeProtoCasing = {
  name: 'ExposeProtoCasing',
  run(ctx) {
    for (const i of ctx.ast.instructions) {
      if (i.kind !== 'EXPOSE') continue;
      for (const port of i.ports) {
        const protocol = port.split('/')[1];
        if (protocol !== undefined && protocol !== protocol.toLowerCase()) {
          ctx.report(
            i.range,
            `Defined protocol '${port}' in EXPOSE instruction should be lowercase`,
            `write ${port.toLowerCase()}`,
          );
        }
      }
    }
  },
} satisfies LintCheck;

export const exposeInvalidFormat = {
  name: 'ExposeInvalidFormat',
  run(ctx) {
    for (const i of ctx.ast.instructions) {
      if (i.kind !== 'EXPOSE') continue;
      for (const port of i.ports) {
        if (port.includes(':')) {
          ctx.report(
            i.range,
            `EXPOSE instruction should not define an IP address or host-port mapping, found '${port}'`,
            'EXPOSE only the container port; publish ports when running the container',
          );
        }
      }
    }
  },
} satisfies LintCheck;
