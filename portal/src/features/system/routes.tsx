import type { RouteObject } from 'react-router';
import { SettingsPage } from './SettingsPage';
import { UsersPage } from './UsersPage';

export const systemRoutes: RouteObject[] = [
  { path: '/system/users', element: <UsersPage /> },
  { path: '/system/settings', element: <SettingsPage /> },
];
