import { useParams } from 'react-router';
import { ArtifactPage } from '../artifacts/ArtifactPage';
import { parseRepositoryPath } from './paths';
import { RepositoryPage } from './RepositoryPage';

/** Splits /repositories/NAME/-/PAGE into the repository and its page. */
export function RepositoryRouter() {
  const { repository, page } = parseRepositoryPath(useParams()['*'] ?? '');
  if (page.startsWith('artifacts/')) {
    return <ArtifactPage repository={repository} reference={page.slice('artifacts/'.length)} />;
  }

  return <RepositoryPage repository={repository} tab={page} />;
}
