/**
 * RUN --mount=type=secret: the value reaches the setup script through a pipe and is written to a
 * tmpfs that exists only in the container's private mount namespace, then bind-mounted read-only;
 * or it is set as an environment variable. It is never written to the store or printed.
 */
import { join } from 'node:path';
import { TsbuildError } from '../../errors.ts';
import { shellQuote } from '../private-ns.ts';
import type { SecretMountRequest } from '../types.ts';
import type { MountBuilder } from './builder.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function addSecretMount(builder: MountBuilder, request: SecretMountRequest): Promise<void> {
  if (request.value === undefined) {
    if (request.required === true) {
      throw new TsbuildError(
        'EXECUTOR',
        `Secret ${request.id} is required by RUN --mount=type=secret but was not provided`,
        {
          hint: `Pass it to the build: --secret id=${request.id},src=FILE (or env=VAR).`,
        },
      );
    }
    return;
  }
  if (request.env !== undefined) {
    if (!ENV_NAME.test(request.env)) {
      throw new TsbuildError(
        'EXECUTOR',
        `Secret ${request.id}: env=${request.env} is not a valid variable name`,
      );
    }
    builder.addEnv(`${request.env}=${Buffer.from(request.value).toString('utf8')}`);
    if (request.target === undefined) return;
  }
  const dir = await builder.scratchDir('secret');
  const file = join(dir, 'value');
  const fd = builder.addInput(request.value);
  const mode = (request.mode ?? 0o400).toString(8);
  builder.addSetup(
    `mount -t tmpfs -o mode=0700,size=${request.value.length + 65536} tmpfs ${shellQuote(dir)}`,
    `cat <&${fd} > ${shellQuote(file)}`,
    `exec ${fd}<&-`,
    `chmod ${mode} ${shellQuote(file)}`,
    `chown ${request.uid ?? 0}:${request.gid ?? 0} ${shellQuote(file)}`,
  );
  builder.addMount(
    {
      destination: request.target ?? `/run/secrets/${request.id}`,
      type: 'bind',
      source: file,
      options: ['rbind', 'rprivate', 'ro'],
    },
    'file',
  );
}
