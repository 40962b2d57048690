import { Group, Stack, Tabs } from '@mantine/core';
import { Outlet, useLocation, useNavigate } from 'react-router';
import type { ProjectAction } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { StatusBadge } from '../../components/StatusBadge';
import { PageHeader } from '../../components/PageHeader';
import { LabelBadges } from './LabelBadges';
import { useProjectPermission } from './permissions';
import { QuotaBar } from './QuotaBar';
import { useProject, useProjectName, useQuota } from './queries';

/** The project's sections; one that needs an action is listed for those who hold it. */
const tabs: { value: string; label: string; needs?: ProjectAction }[] = [
  { value: 'repositories', label: 'Repositories' },
  { value: 'storage', label: 'Storage' },
  { value: 'members', label: 'Members', needs: 'read-members' },
  { value: 'robots', label: 'Robot accounts', needs: 'read-robots' },
  { value: 'audit', label: 'Audit log', needs: 'read-audit' },
  { value: 'settings', label: 'Settings' },
];

export function ProjectPage() {
  const name = useProjectName();
  const project = useProject(name);
  const quota = useQuota(name);
  const may = useProjectPermission(name);
  const navigate = useNavigate();
  const location = useLocation();
  const base = `/projects/${name}`;
  // Mantine needs a non-empty value for each tab: the repositories tab is the project's index.
  const current =
    location.pathname.slice(base.length).replace(/^\//, '').split('/')[0] || 'repositories';

  return (
    <Stack>
      <PageHeader title={name} crumbs={[{ label: 'Projects', to: '/projects' }, { label: name }]} />
      <ErrorNotice error={project.error} />
      {project.data && (
        <Group gap="md">
          <StatusBadge tone={project.data.public ? 'good' : 'neutral'}>
            {project.data.public ? 'public' : 'private'}
          </StatusBadge>
          <LabelBadges labels={project.data.labels} />
        </Group>
      )}
      {quota.data && <QuotaBar quota={quota.data} />}
      <Tabs
        value={current}
        onChange={(value) => navigate(value === 'repositories' ? base : `${base}/${value}`)}
      >
        <Tabs.List aria-label="Project sections">
          {tabs
            .filter((tab) => tab.needs === undefined || may(tab.needs) || tab.value === current)
            .map((tab) => (
              <Tabs.Tab key={tab.value} value={tab.value}>
                {tab.label}
              </Tabs.Tab>
            ))}
        </Tabs.List>
        {tabs.map((tab) => (
          <Tabs.Panel key={tab.value} value={tab.value} pt="md">
            {tab.value === current && <Outlet />}
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
