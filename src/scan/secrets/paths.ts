// Which files of a layer the secret scanner leaves alone: places full of examples and test
// keys (documentation, language runtimes and their test suites, test fixtures of installed
// packages), public certificate bundles, lock files, and formats that are not text.

/**
 * Paths skipped by default, as globs over the path inside the image without its leading
 * slash: `*` stays within one segment, `**` spans any number of them.
 */
export const DEFAULT_SKIP_PATHS: readonly string[] = [
  // Documentation, manuals, translations, headers, and the data distributions ship.
  'usr/share/**',
  'usr/include/**',
  'usr/local/include/**',
  'usr/local/share/doc/**',
  'usr/local/share/man/**',
  '**/*.md',
  '**/*.markdown',
  '**/*.rst',
  // System libraries and toolchains: their test data holds keys made to be published.
  'usr/lib/**',
  'usr/lib64/**',
  'usr/local/go/**',
  'usr/local/lib/python*/test/**',
  '**/*_test.go',
  '**/testdata/**',
  // Trust stores: public certificates only.
  'etc/ssl/certs/**',
  'etc/pki/ca-trust/**',
  'etc/pki/tls/certs/**',
  'etc/ca-certificates/**',
  '**/certifi/cacert.pem',
  // Tests, examples and docs of installed packages.
  '**/node_modules/**/test/**',
  '**/node_modules/**/tests/**',
  '**/node_modules/**/__tests__/**',
  '**/node_modules/**/example/**',
  '**/node_modules/**/examples/**',
  '**/node_modules/**/fixtures/**',
  '**/node_modules/**/docs/**',
  '**/site-packages/**/test/**',
  '**/site-packages/**/tests/**',
  '**/dist-packages/**/test/**',
  '**/dist-packages/**/tests/**',
  '**/*.dist-info/**',
  '**/*.egg-info/**',
  '**/gems/*/test/**',
  '**/gems/*/spec/**',
  // Package databases and lock files: names, versions and hashes.
  'var/lib/dpkg/**',
  'var/lib/apk/**',
  'var/lib/rpm/**',
  '**/package-lock.json',
  '**/npm-shrinkwrap.json',
  '**/yarn.lock',
  '**/pnpm-lock.yaml',
  '**/go.sum',
  '**/Cargo.lock',
  '**/poetry.lock',
  '**/Pipfile.lock',
  '**/Gemfile.lock',
  '**/composer.lock',
];

/** Extensions of formats that are not text, or hold text only compressed. */
const BINARY_EXTENSIONS = new Set([
  ...['png', 'jpg', 'jpeg', 'gif', 'bmp', 'ico', 'webp', 'tif', 'tiff', 'svg', 'pdf'],
  ...['woff', 'woff2', 'ttf', 'otf', 'eot'],
  ...['zip', 'gz', 'tgz', 'bz2', 'xz', 'zst', 'lz4', '7z', 'tar', 'jar', 'war', 'ear', 'whl'],
  ...['deb', 'rpm', 'apk', 'so', 'a', 'o', 'pyc', 'pyo', 'class', 'mo', 'wasm'],
  ...['db', 'sqlite', 'mp3', 'mp4', 'ogg', 'wav'],
]);

/** Whether a path (normalised: no leading slash) is one the scanner skips. */
export type PathFilter = (path: string) => boolean;

export function skipFilter(globs: readonly string[]): PathFilter {
  const skipped = globs.length > 0 ? new RegExp(`^(?:${globs.map(globSource).join('|')})$`) : null;

  return (path) => {
    const dot = path.lastIndexOf('.');
    const extension = dot > path.lastIndexOf('/') ? path.slice(dot + 1).toLowerCase() : '';

    return BINARY_EXTENSIONS.has(extension) || (skipped?.test(path) ?? false);
  };
}

/** A glob as a regular expression source: `**` any segments, `*` and `?` within one. */
function globSource(glob: string): string {
  let source = '';
  for (let at = 0; at < glob.length; at++) {
    const char = glob[at]!;
    if (glob.startsWith('**/', at)) {
      source += '(?:.*/)?';
      at += 2;
    } else if (glob.startsWith('**', at)) {
      source += '.*';
      at += 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }

  return source;
}
