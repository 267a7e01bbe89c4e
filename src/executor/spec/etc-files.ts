/** Contents of the generated /etc files each RUN sees (bind-mounted from the bundle, never in the layer). */
import type { NetworkMode } from './generate.ts';

export interface ExtraHost {
  readonly name: string;
  readonly address: string;
}

export function hostsFile(hostname: string, extraHosts: readonly ExtraHost[] = []): string {
  return [
    `127.0.0.1\tlocalhost ${hostname}`,
    '::1\tlocalhost ip6-localhost ip6-loopback',
    ...extraHosts.map((host) => `${host.address}\t${host.name}`),
    '',
  ].join('\n');
}

/** With the host's network the host's resolver config works as is; without a network there is nothing to resolve. */
export function resolvConfFile(network: NetworkMode, hostResolvConf: string | undefined): string {
  if (network === 'none') return '';
  return hostResolvConf ?? '';
}

export function hostnameFile(hostname: string): string {
  return `${hostname}\n`;
}
