import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { del, get, post, segment } from '../../api/client';
import { robotActions, type Robot } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { CopyText } from '../../components/CopyText';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatTime } from '../../components/format';
import { useProjectName } from './queries';

export function RobotsTab() {
  const project = useProjectName();
  const queryClient = useQueryClient();
  const key = ['project', project, 'robots'];
  const robots = useQuery({
    queryKey: key,
    queryFn: () => get<Robot[]>(`/projects/${segment(project)}/robots`),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });

  return (
    <Stack>
      <Group justify="flex-end">
        <CreateRobotButton project={project} onCreated={refresh} />
      </Group>
      <ErrorNotice error={robots.error} />
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Permissions</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
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
              <Table.Td>
                <Text size="sm">{formatTime(robot.expiresAt, 'never')}</Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatTime(robot.lastUsedAt)}</Text>
              </Table.Td>
              <Table.Td>
                <ConfirmButton
                  size="xs"
                  text="Delete"
                  label={`Delete ${robot.name}`}
                  message="The robot's secret stops working at once."
                  onConfirm={async () => {
                    await del(`/robots/${segment(robot.name)}`);
                    await refresh();
                  }}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {robots.data?.length === 0 && <Text>No robot accounts in this project.</Text>}
    </Stack>
  );
}

function CreateRobotButton(props: { project: string; onCreated: () => Promise<unknown> }) {
  const [opened, { open, close }] = useDisclosure(false);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [actions, setActions] = useState<string[]>(['pull', 'push']);
  const [days, setDays] = useState<number | string>(30);
  const create = useMutation({
    mutationFn: () =>
      post<{ robot: Robot; secret: string }>(`/projects/${segment(props.project)}/robots`, {
        name,
        description: description || null,
        grants: [{ project: props.project, actions }],
        expiresAt:
          Number(days) > 0 ? new Date(Date.now() + Number(days) * 86_400_000).toISOString() : null,
      }),
    onSuccess: () => props.onCreated(),
  });
  const finish = () => {
    create.reset();
    setName('');
    close();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <>
      <Button onClick={open}>New robot account</Button>
      <Modal opened={opened} onClose={finish} title="New robot account" centered>
        {create.data ? (
          <Stack>
            <Alert color="orange" title="Copy the secret now">
              Berth keeps only a hash of it: this is the only time it is shown.
            </Alert>
            <Text size="sm">Login name</Text>
            <CopyText value={create.data.robot.name} label="Copy the login name" />
            <Text size="sm">Secret</Text>
            <CopyText value={create.data.secret} label="Copy the secret" />
            <Group justify="flex-end">
              <Button onClick={finish}>Done</Button>
            </Group>
          </Stack>
        ) : (
          <form onSubmit={submit}>
            <Stack>
              <ErrorNotice error={create.error} />
              <TextInput
                label="Name"
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                required
                data-autofocus
              />
              <TextInput
                label="Description"
                value={description}
                onChange={(e) => setDescription(e.currentTarget.value)}
              />
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
              <Group justify="flex-end">
                <Button variant="default" onClick={finish}>
                  Cancel
                </Button>
                <Button type="submit" loading={create.isPending} disabled={actions.length === 0}>
                  Create
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}
