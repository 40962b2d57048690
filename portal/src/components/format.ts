const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes in binary units, as registries and `du -h` show them: 1.5 MiB. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }

  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string | null | undefined, never = 'never'): string {
  return iso ? dateTime.format(new Date(iso)) : never;
}

/** sha256:0123456789ab… → sha256:0123456789ab, enough to tell digests apart on screen. */
export function shortDigest(digest: string): string {
  const [algorithm, hex = ''] = digest.split(':');
  return `${algorithm}:${hex.slice(0, 12)}`;
}

/** What kind of artifact a media type and artifact type describe, in a word or two. */
export function artifactKind(mediaType: string, artifactType: string | null): string {
  if (mediaType.includes('index') || mediaType.includes('manifest.list')) return 'Image index';
  if (
    !artifactType ||
    artifactType.includes('image.config') ||
    artifactType.includes('container.image')
  ) {
    return 'Image';
  }
  if (artifactType.includes('spdx') || artifactType.includes('cyclonedx')) return 'SBOM';
  if (artifactType.includes('signature') || artifactType.includes('notary')) return 'Signature';
  if (artifactType.includes('in-toto') || artifactType.includes('attestation'))
    return 'Attestation';

  return artifactType;
}

export function platformName(p: { os: string; architecture: string; variant?: string }): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** The host clients pull from: the one the portal was loaded from. */
export function registryHost(): string {
  return window.location.host;
}

export function pullCommand(repository: string, reference: string): string {
  const separator = reference.includes(':') ? '@' : ':';
  return `docker pull ${registryHost()}/${repository}${separator}${reference}`;
}

/** "1 artifact", "10,000 tags". */
export function counted(n: number, noun: string): string {
  return `${n.toLocaleString()} ${noun}${n === 1 ? '' : 's'}`;
}
