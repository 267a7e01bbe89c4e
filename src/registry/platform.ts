/**
 * Platform parsing and the choice of one manifest from an index / manifest list, variant aware
 * the way containerd matches (`arm64` means `arm64/v8`, `arm` means `arm/v7`).
 */
import { TsbuildError } from '../errors.ts';
import { formatPlatform } from '../image/platform.ts';
import type { Descriptor, Platform } from '../image/types.ts';
import type { RegistryIndex } from './manifest.ts';

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

const ARCH_ALIASES: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  armhf: 'arm',
  armel: 'arm',
  i386: '386',
};

const DEFAULT_VARIANT: Readonly<Record<string, string>> = { arm64: 'v8', arm: 'v7', amd64: 'v1' };

function normalise(p: Platform): { os: string; architecture: string; variant: string | undefined } {
  const architecture = ARCH_ALIASES[p.architecture.toLowerCase()] ?? p.architecture.toLowerCase();
  const variant = p.variant?.toLowerCase() || DEFAULT_VARIANT[architecture];
  return { os: p.os.toLowerCase(), architecture, variant };
}

/** `linux/arm64/v8` → `{ os: 'linux', architecture: 'arm64', variant: 'v8' }`. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.split('/');
  if (!os || !architecture || rest.length > 0) {
    throw new TsbuildError('USAGE', `invalid platform "${text}"`, {
      hint: 'write it as os/architecture[/variant], e.g. linux/amd64 or linux/arm64/v8',
    });
  }
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Exact match after normalising aliases and default variants (unlike the store's lenient match). */
function sameVariantPlatform(candidate: Platform, wanted: Platform): boolean {
  const c = normalise(candidate);
  const w = normalise(wanted);
  return c.os === w.os && c.architecture === w.architecture && c.variant === w.variant;
}

/** Picks the manifest for `wanted` from an index; `where` names the index in the error. */
export function selectPlatform(index: RegistryIndex, wanted: Platform, where: string): Descriptor {
  const match = index.manifests.find(
    (m) => m.platform !== undefined && sameVariantPlatform(m.platform, wanted),
  );
  if (match) return match;
  const offered = index.manifests
    .flatMap((m) => (m.platform && m.platform.os !== 'unknown' ? [formatPlatform(m.platform)] : []))
    .join(', ');
  throw new TsbuildError(
    'REGISTRY_NOT_FOUND',
    `${where} has no image for platform ${formatPlatform(wanted)}`,
    {
      hint: offered ? `it offers: ${offered}; choose one with --platform` : 'the index lists no platforms',
    },
  );
}
