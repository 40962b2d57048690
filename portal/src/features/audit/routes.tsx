import type { RouteObject } from 'react-router';
import { RequireAdmin } from '../../app/RequireAdmin';
import { AuditPage } from './AuditPage';

export const auditRoutes: RouteObject[] = [
  {
    path: '/audit',
    element: (
      <RequireAdmin>
        <AuditPage />
      </RequireAdmin>
    ),
  },
];
