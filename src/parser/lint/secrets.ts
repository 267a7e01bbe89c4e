/** SecretsUsedInArgOrEnv: ARG or ENV names that look like credentials end up in the image history. */
import type { LintCheck } from './model.ts';

const TOKENS = [
  'apikey',
  'auth',
  'credential',
  'credentials',
  'key',
  'password',
  'pword',
  'passwd',
  'secret',
  'token',
];
// A token counts as a whole `_`-separated word of the name, e.g. GITHUB_TOKEN, api_key, AUTH.
const DENY = new RegExp(`(?:_|^)(?:${TOKENS.join('|')})(?:_|$)`, 'i');
const ALLOW = /(?:_|^)(?:public)(?:_|$)/i;

export const secretsUsedInArgOrEnv = {
  name: 'SecretsUsedInArgOrEnv',
  run(ctx) {
    for (const i of ctx.ast.instructions) {
      const names =
        i.kind === 'ARG' ? i.args.map((a) => a.name) : i.kind === 'ENV' ? i.pairs.map((p) => p.key) : [];
      for (const name of names) {
        if (DENY.test(name) && !ALLOW.test(name)) {
          ctx.report(
            i.range,
            `Do not use ARG or ENV instructions for sensitive data (${i.kind} ${JSON.stringify(name)})`,
            'pass secrets with RUN --mount=type=secret instead',
          );
        }
      }
    }
  },
} satisfies LintCheck;
