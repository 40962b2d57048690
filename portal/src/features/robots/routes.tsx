import type { RouteObject } from 'react-router';
import { RequireAdmin } from '../../app/RequireAdmin';
import { SystemRobotsPage } from './SystemRobotsPage';

export const robotRoutes: RouteObject[] = [
  {
    path: '/system/robots',
    element: (
      <RequireAdmin>
        <SystemRobotsPage />
      </RequireAdmin>
    ),
  },
];
