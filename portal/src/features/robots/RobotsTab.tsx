import { Group, MultiSelect, Stack, TextInput } from '@mantine/core';
import { useInputState } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { post, segment } from '../../api/client';
import { robotActions, type Robot, type RobotCreated } from '../../api/types';
import { FormDialog } from '../../components/FormDialog';
import { useProjectPermission } from '../projects/permissions';
import { useProjectList, useProjectName } from '../projects/queries';
import { ExpiryInput, expiresAt, RobotSecret } from './RobotFields';
import { RobotsTable } from './RobotsTable';

/**
 * A project's robot accounts, which act only inside the project; created and changed by those
 * who may manage them (project admins), shown to maintainers.
 */
export function RobotsTab() {
  const project = useProjectName();
  const { query: robots, refresh } = useProjectList<Robot>(project, 'robots');
  const manage = useProjectPermission(project)('manage-robots');

  return (
    <Stack>
      {manage && (
        <Group justify="flex-end">
          <CreateRobotButton project={project} onCreated={refresh} />
        </Group>
      )}
      <RobotsTable
        robots={robots}
        onChanged={refresh}
        empty="No robot accounts in this project."
        readOnly={!manage}
      />
    </Stack>
  );
}

function CreateRobotButton(props: { project: string; onCreated: () => Promise<unknown> }) {
  const [name, setName] = useInputState('');
  const [description, setDescription] = useInputState('');
  const [actions, setActions] = useState<string[]>(['pull', 'push']);
  const [days, setDays] = useState<number | string>(30);
  const create = useMutation({
    mutationFn: () =>
      post<RobotCreated>(`/projects/${segment(props.project)}/robots`, {
        name,
        description: description || null,
        grants: [{ project: props.project, actions }],
        expiresAt: expiresAt(days),
      }),
    onSuccess: () => props.onCreated(),
  });
  const reset = () => {
    create.reset();
    setName('');
  };

  return (
    <FormDialog
      title="New robot account"
      submission={create}
      ready={actions.length > 0}
      result={(created) => <RobotSecret name={created.robot.name} secret={created.secret} />}
      onClose={reset}
    >
      <TextInput label="Name" value={name} onChange={setName} required data-autofocus />
      <TextInput label="Description" value={description} onChange={setDescription} />
      <MultiSelect
        label="Permissions"
        data={[...robotActions]}
        value={actions}
        onChange={setActions}
        required
      />
      <ExpiryInput value={days} onChange={setDays} />
    </FormDialog>
  );
}
