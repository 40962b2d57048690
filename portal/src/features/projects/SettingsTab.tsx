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
import { LabelsEditor, labelsOf, rowsOf, type LabelRows } from './LabelsEditor';
import { useProject, useProjectName } from './queries';
import { QuotaForm } from './QuotaForm';

export function SettingsTab() {
  const name = useProjectName();
  const project = useProject(name);
  const admin = useWhoami().data?.admin ?? false;

  return (
    <Stack maw={560}>
      <ErrorNotice error={project.error} />
      {/* A new form for each saved version, so that it starts from what the server holds. */}
      {project.data && <SettingsForm key={project.data.updatedAt} project={project.data} />}
      {project.data && admin && (
        <>
          <Divider my="md" />
          <Title order={2} size="h4">
            Storage quota
          </Title>
          <QuotaForm project={name} />
        </>
      )}
      {project.data && <DeleteProject name={name} />}
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
