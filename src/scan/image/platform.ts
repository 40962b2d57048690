import { ImageSourceError } from './errors.js';

/** An image platform as OCI image indexes describe it (image-spec image-index.md). */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** `linux/amd64`, `linux/arm64/v8`, `linux/arm/v7`. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.split('/');
  if (!os || !architecture || rest.length > 0) {
    throw new ImageSourceError('reference', `"${text}" is not a platform: use OS/ARCH[/VARIANT]`);
  }

  return { os, architecture, ...(variant && { variant }) };
}

/** Node's names for CPU architectures, in Go's spelling, which OCI platforms use. */
const GOARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** The platform images run as on this machine; containers are Linux ones on every host. */
export function hostPlatform(): Platform {
  return { os: 'linux', architecture: GOARCH[process.arch] ?? process.arch };
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/**
 * Whether an index entry's platform is the one asked for. The variant only counts when asked
 * for; arm64 without a variant is v8, as containerd's platform matcher takes it.
 */
export function platformMatches(candidate: Platform, wanted: Platform): boolean {
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  if (!wanted.variant) return true;

  const variant = candidate.variant ?? (candidate.architecture === 'arm64' ? 'v8' : undefined);
  return variant === wanted.variant;
}
