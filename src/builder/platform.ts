/**
 * The platform this host builds for: tsbuild runs steps natively (no
 * emulation), so it is Linux on Node's architecture, in the GOARCH names OCI
 * platforms use. Apart from builder/run.ts so that `tsbuild version` can ask
 * for it without loading the build engine.
 */
import type { Platform } from '../plan/index.ts';

export function hostPlatform(): Platform {
  const arch: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
  };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}
