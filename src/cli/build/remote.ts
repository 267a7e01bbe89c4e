/** The daemon client: all a `--host` build loads in place of the engine (./engine.ts). */
import { type Builder, connectBuilder } from '../../index.ts';

export function openRemoteBuilder(host: string, env: NodeJS.ProcessEnv): Promise<Builder> {
  return connectBuilder({ host, env });
}
