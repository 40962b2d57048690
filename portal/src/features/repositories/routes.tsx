import type { RouteObject } from 'react-router';
import { RepositoryRouter } from './RepositoryRouter';

export const repositoryRoutes: RouteObject[] = [
  { path: '/repositories/*', element: <RepositoryRouter /> },
];
