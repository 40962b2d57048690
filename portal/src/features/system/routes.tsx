import type { RouteObject } from 'react-router';
import { RequireAdmin } from '../../app/RequireAdmin';
import { SettingsPage } from './SettingsPage';
import { UsersPage } from './UsersPage';

export const systemRoutes: RouteObject[] = [
  {
    path: '/system/users',
    element: (
      <RequireAdmin>
        <UsersPage />
      </RequireAdmin>
    ),
  },
  {
    path: '/system/settings',
    element: (
      <RequireAdmin>
        <SettingsPage />
      </RequireAdmin>
    ),
  },
];
