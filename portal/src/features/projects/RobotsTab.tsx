import {
  Alert,
  Badge,
  Group,
  MultiSelect,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useInputState } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { post, segment } from '../../api/client';
import { robotActions, type Robot, type RobotCreated } from '../../api/types';
import { DeleteCell, TimeCell } from '../../components/cells';
import { CopyText } from '../../components/CopyText';
import { DataTable } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import { FormDialog } from '../../components/FormDialog';
import { useProjectList, useProjectName } from './queries';

const columns = [
  'Name',
  'Permissions',
  'Expires',
  'Last used',
  <VisuallyHidden>Actions</VisuallyHidden>,
];

export function RobotsTab() {
  const project = useProjectName();
  const { query: robots, refresh } = useProjectList<Robot>(project, 'robots');

  return (
    <Stack>
      <Group justify="flex-end">
        <CreateRobotButton project={project} onCreated={refresh} />
      </Group>
      <ErrorNotice error={robots.error} />
      <DataTable columns={columns}>
        {robots.data?.map((robot) => (
          <Table.Tr key={robot.name}>
            <Table.Td>
              <Text size="sm" ff="monospace">
                {robot.name}
              </Text>
              {robot.description && <Text size="xs">{robot.description}</Text>}
              {robot.disabled && <Badge color="gray">disabled</Badge>}
            </Table.Td>
            <Table.Td>
              <Group gap={4}>
                {robot.grants
                  .flatMap((g) => g.actions)
                  .map((action) => (
                    <Badge key={action} variant="outline" tt="none">
                      {action}
                    </Badge>
                  ))}
              </Group>
            </Table.Td>
            <TimeCell value={robot.expiresAt} />
            <TimeCell value={robot.lastUsedAt} />
            <DeleteCell
              label={`Delete ${robot.name}`}
              message="The robot's secret stops working at once."
              path={`/robots/${segment(robot.name)}`}
              onDeleted={refresh}
            />
          </Table.Tr>
        ))}
      </DataTable>
      {robots.data?.length === 0 && <Text>No robot accounts in this project.</Text>}
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
        expiresAt:
          Number(days) > 0 ? new Date(Date.now() + Number(days) * 86_400_000).toISOString() : null,
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
      result={(created) => <RobotSecret created={created} />}
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
      <NumberInput
        label="Expires after (days, 0 for never)"
        min={0}
        value={days}
        onChange={setDays}
      />
    </FormDialog>
  );
}

/** A new robot's login name and secret, which Berth shows this once. */
function RobotSecret({ created }: { created: RobotCreated }) {
  return (
    <>
      <Alert color="orange" title="Copy the secret now">
        Berth keeps only a hash of it: this is the only time it is shown.
      </Alert>
      <Text size="sm">Login name</Text>
      <CopyText value={created.robot.name} label="Copy the login name" />
      <Text size="sm">Secret</Text>
      <CopyText value={created.secret} label="Copy the secret" />
    </>
  );
}
