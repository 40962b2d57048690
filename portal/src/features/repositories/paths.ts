/**
 * Portal URLs of a repository. Repository names contain slashes, so the repository's own pages
 * follow a `/-/` separator, which no name can contain (each path component of a name starts
 * with a letter or digit): /repositories/shop/web/-/tags.
 */
export function repositoryPath(repository: string, page?: string): string {
  return `/repositories/${repository}${page ? `/-/${page}` : ''}`;
}

export function artifactPath(repository: string, reference: string): string {
  return repositoryPath(repository, `artifacts/${reference}`);
}

/** The repository and the page after `/-/` in a splat such as shop/web/-/artifacts/v1. */
export function parseRepositoryPath(splat: string): { repository: string; page: string } {
  const separator = splat.indexOf('/-/');
  if (separator < 0) return { repository: splat.replace(/\/$/, ''), page: '' };

  return { repository: splat.slice(0, separator), page: splat.slice(separator + 3) };
}

/** The project a repository lives in: the first component of its name. */
export function projectOf(repository: string): string {
  return repository.split('/')[0] ?? repository;
}
