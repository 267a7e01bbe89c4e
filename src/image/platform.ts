import type { Platform } from './types.ts';

/** Node's `process.arch` names mapped to the GOARCH names OCI platforms use. */
const GO_ARCH: Readonly<Record<string, { architecture: string; variant?: string }>> = {
  x64: { architecture: 'amd64' },
  arm64: { architecture: 'arm64' },
  arm: { architecture: 'arm', variant: 'v7' },
  ia32: { architecture: '386' },
  ppc64: { architecture: 'ppc64le' },
  s390x: { architecture: 's390x' },
  riscv64: { architecture: 'riscv64' },
  loong64: { architecture: 'loong64' },
  mips: { architecture: 'mips' },
  mipsel: { architecture: 'mipsle' },
};

export function hostPlatform(): Platform {
  const arch = GO_ARCH[process.arch] ?? { architecture: process.arch };
  return { os: process.platform, ...arch };
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/** Whether `candidate` runs where `wanted` is asked for (a missing variant matches any). */
export function platformMatches(wanted: Platform, candidate: Platform | undefined): boolean {
  if (!candidate) return false;
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  return (
    wanted.variant === undefined || candidate.variant === undefined || candidate.variant === wanted.variant
  );
}
