import type { RouteObject } from 'react-router';
import { AuditTab } from '../audit/AuditTab';
import { RepositoriesTab } from '../repositories/RepositoriesTab';
import { StorageTab } from '../repositories/StorageTab';
import { RobotsTab } from '../robots/RobotsTab';
import { MembersTab } from './MembersTab';
import { ProjectPage } from './ProjectPage';
import { ProjectsPage } from './ProjectsPage';
import { SettingsTab } from './SettingsTab';

export const projectRoutes: RouteObject[] = [
  { path: '/projects', element: <ProjectsPage /> },
  {
    path: '/projects/:project',
    element: <ProjectPage />,
    children: [
      { index: true, element: <RepositoriesTab /> },
      { path: 'storage', element: <StorageTab /> },
      { path: 'members', element: <MembersTab /> },
      { path: 'robots', element: <RobotsTab /> },
      { path: 'audit', element: <AuditTab /> },
      { path: 'settings', element: <SettingsTab /> },
    ],
  },
];
