import { Button, Divider, Group, Stack, Switch, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { del, patch, segment } from '../../api/client';
import type { Project } from '../../api/types';
import { useWhoami } from '../../app/whoami';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LabelBadges } from './LabelBadges';
import { LabelsEditor, labelsOf, rowsOf, type LabelRows } from './LabelsEditor';
import { useProjectPermission } from './permissions';
import { useProject, useProjectName } from './queries';
import { QuotaForm } from './QuotaForm';

/**
 * The project's settings: changed by those who may update the project (project admins), only
 * shown to the others; the quota for system administrators; deleting it for those who may.
 */
export function SettingsTab() {
  const name = useProjectName();
  const project = useProject(name);
  const admin = useWhoami().data?.admin ?? false;
  const may = useProjectPermission(name);

  return (
    <Stack maw={560}>
      <ErrorNotice error={project.error} />
      {/* A new form for each saved version, so that it starts from what the server holds. */}
      {project.data && may('update-project') && (
        <SettingsForm key={project.data.updatedAt} project={project.data} />
      )}
      {project.data && !may('update-project') && <SettingsView project={project.data} />}
      {project.data && admin && (
        <>
          <Divider my="md" />
          <Title order={2} size="h4">
            Storage quota
          </Title>
          <QuotaForm project={name} />
        </>
      )}
      {project.data && may('delete-project') && <DeleteProject name={name} />}
    </Stack>
  );
}

/** The settings as they stand, for those who may not change them. */
function SettingsView({ project }: { project: Project }) {
  return (
    <Stack gap="xs">
      <Text size="sm">
        {project.public
          ? 'Public: anyone may pull, signed in or not.'
          : 'Private: only members may see and pull.'}
      </Text>
      <Group gap="xs">
        <Text size="sm" fw={500}>
          Labels
        </Text>
        <LabelBadges labels={project.labels} />
      </Group>
      <Text size="sm">Project administrators may change these settings.</Text>
    </Stack>
  );
}

function SettingsForm({ project }: { project: Project }) {
  const name = project.name;
  const queryClient = useQueryClient();
  const [isPublic, setPublic] = useState(project.public);
  const [labels, setLabels] = useState<LabelRows>(rowsOf(project.labels));

  const save = useMutation({
    mutationFn: () =>
      patch<Project>(`/projects/${segment(name)}`, { public: isPublic, labels: labelsOf(labels) }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['project', name] });
      notifications.show({ message: 'Settings saved', color: 'teal' });
    },
  });

  return (
    <Stack>
      <ErrorNotice error={save.error} />
      <Switch
        label="Public: anyone may pull, signed in or not"
        checked={isPublic}
        onChange={(e) => setPublic(e.currentTarget.checked)}
      />
      <LabelsEditor rows={labels} onChange={setLabels} />
      <Group>
        <Button onClick={() => save.mutate()} loading={save.isPending}>
          Save
        </Button>
      </Group>
    </Stack>
  );
}

function DeleteProject({ name }: { name: string }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  return (
    <>
      <Divider my="md" />
      <Title order={2} size="h4">
        Delete this project
      </Title>
      <Text size="sm">Its repositories, tags, members and robot accounts go with it.</Text>
      <Group>
        <ConfirmButton
          label="Delete project"
          message={`This deletes ${name} and everything in it.`}
          typeToConfirm={name}
          onConfirm={async () => {
            await del(`/projects/${segment(name)}`);
            await queryClient.invalidateQueries({ queryKey: ['projects'] });
            navigate('/projects', { replace: true });
          }}
        />
      </Group>
    </>
  );
}
