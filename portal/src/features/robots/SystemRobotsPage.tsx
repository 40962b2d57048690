import { Stack, Text, TextInput } from '@mantine/core';
import { useInputState } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, post } from '../../api/client';
import type { Robot, RobotCreate, RobotCreated } from '../../api/types';
import { FormDialog } from '../../components/FormDialog';
import { PageHeader } from '../../components/PageHeader';
import { GrantsEditor, grantsOf, grantsReady, newGrant, type GrantRow } from './GrantsEditor';
import { ExpiryInput, expiresAt, RobotSecret } from './RobotFields';
import { RobotsTable } from './RobotsTable';

/** System robot accounts (administrators): robots with permissions in any project, or all. */
export function SystemRobotsPage() {
  const queryClient = useQueryClient();
  const robots = useQuery({ queryKey: ['robots'], queryFn: () => get<Robot[]>('/robots') });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['robots'] });

  return (
    <Stack>
      <PageHeader
        title="Robot accounts"
        actions={<CreateSystemRobotButton onCreated={refresh} />}
      />
      <Text size="sm">
        System robots hold permissions in any projects, or in every project. A project&apos;s own
        robots are on its Robot accounts tab.
      </Text>
      <RobotsTable robots={robots} onChanged={refresh} empty="No system robot accounts yet." />
    </Stack>
  );
}

function CreateSystemRobotButton({ onCreated }: { onCreated: () => Promise<unknown> }) {
  const [name, setName] = useInputState('');
  const [description, setDescription] = useInputState('');
  const [grants, setGrants] = useState<GrantRow[]>([newGrant()]);
  const [days, setDays] = useState<number | string>(30);
  const create = useMutation({
    mutationFn: () =>
      post<RobotCreated>('/robots', {
        name,
        description: description || null,
        grants: grantsOf(grants),
        expiresAt: expiresAt(days),
      } satisfies RobotCreate),
    onSuccess: () => onCreated(),
  });
  const reset = () => {
    create.reset();
    setName('');
    setDescription('');
    setGrants([newGrant()]);
  };

  return (
    <FormDialog
      title="New robot account"
      size="lg"
      submission={create}
      ready={grantsReady(grants)}
      result={(created) => <RobotSecret name={created.robot.name} secret={created.secret} />}
      onClose={reset}
    >
      <TextInput
        label="Name"
        description="Signs in as robot$NAME"
        value={name}
        onChange={setName}
        required
        data-autofocus
      />
      <TextInput label="Description" value={description} onChange={setDescription} />
      <GrantsEditor rows={grants} onChange={setGrants} />
      <ExpiryInput value={days} onChange={setDays} />
    </FormDialog>
  );
}
