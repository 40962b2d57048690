import { createBrowserRouter, Navigate } from 'react-router';
import { accountRoutes } from '../features/account/routes';
import { auditRoutes } from '../features/audit/routes';
import { LoginPage } from '../features/auth/LoginPage';
import { projectRoutes } from '../features/projects/routes';
import { repositoryRoutes } from '../features/repositories/routes';
import { robotRoutes } from '../features/robots/routes';
import { systemRoutes } from '../features/system/routes';
import { Layout } from './Layout';
import { RequireSession } from './RequireSession';
import { RouteError } from './RouteError';

/**
 * The portal's pages. Each feature folder exports its own routes, so a later feature (policies,
 * replication, …) adds a folder and one line here.
 */
export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  {
    errorElement: <RouteError />,
    element: (
      <RequireSession>
        <Layout />
      </RequireSession>
    ),
    children: [
      { index: true, element: <Navigate to="/projects" replace /> },
      ...projectRoutes,
      ...repositoryRoutes,
      ...auditRoutes,
      ...systemRoutes,
      ...robotRoutes,
      ...accountRoutes,
      { path: '*', element: <Navigate to="/projects" replace /> },
    ],
  },
]);
