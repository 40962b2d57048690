import type { RouteObject } from 'react-router';
import { SystemRobotsPage } from './SystemRobotsPage';

export const robotRoutes: RouteObject[] = [
  { path: '/system/robots', element: <SystemRobotsPage /> },
];
