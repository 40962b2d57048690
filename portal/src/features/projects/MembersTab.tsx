import {
  Button,
  Group,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { del, get, put, segment } from '../../api/client';
import { projectRoles, type Member } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatTime } from '../../components/format';
import { useProjectName } from './queries';

const roleOptions = projectRoles.map((role) => ({ value: role, label: role }));

export function MembersTab() {
  const project = useProjectName();
  const queryClient = useQueryClient();
  const key = ['project', project, 'members'];
  const members = useQuery({
    queryKey: key,
    queryFn: () => get<Member[]>(`/projects/${segment(project)}/members`),
  });
  const memberPath = (m: Pick<Member, 'kind' | 'name'>) =>
    `/projects/${segment(project)}/members/${m.kind}/${segment(m.name)}`;
  const setRole = useMutation({
    mutationFn: (m: Pick<Member, 'kind' | 'name' | 'role'>) => put(memberPath(m), { role: m.role }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });

  return (
    <Stack>
      <ErrorNotice error={members.error ?? setRole.error} />
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Member</Table.Th>
            <Table.Th>Kind</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Since</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {members.data?.map((member) => (
            <Table.Tr key={`${member.kind}:${member.name}`}>
              <Table.Td>{member.name}</Table.Td>
              <Table.Td>{member.kind}</Table.Td>
              <Table.Td>
                <Select
                  aria-label={`Role of ${member.name}`}
                  data={roleOptions}
                  value={member.role}
                  allowDeselect={false}
                  onChange={(role) =>
                    role && setRole.mutate({ ...member, role: role as Member['role'] })
                  }
                  w={170}
                />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatTime(member.createdAt)}</Text>
              </Table.Td>
              <Table.Td>
                <ConfirmButton
                  size="xs"
                  text="Remove"
                  label={`Remove ${member.name}`}
                  message={`${member.name} loses the ${member.role} role in ${project}.`}
                  onConfirm={async () => {
                    await del(memberPath(member));
                    await queryClient.invalidateQueries({ queryKey: key });
                  }}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <AddMember
        project={project}
        onAdded={() => queryClient.invalidateQueries({ queryKey: key })}
      />
    </Stack>
  );
}

function AddMember(props: { project: string; onAdded: () => Promise<unknown> }) {
  const [kind, setKind] = useState<'user' | 'group'>('user');
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('developer');
  const add = useMutation({
    mutationFn: () =>
      put(`/projects/${segment(props.project)}/members/${kind}/${segment(name)}`, { role }),
    onSuccess: async () => {
      setName('');
      await props.onAdded();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };

  return (
    <form onSubmit={submit}>
      <Stack gap="xs">
        <Title order={2} size="h4">
          Add a member
        </Title>
        <ErrorNotice error={add.error} />
        <Group align="flex-end">
          <Select
            label="Kind"
            data={['user', 'group']}
            value={kind}
            onChange={(v) => v && setKind(v as 'user' | 'group')}
            allowDeselect={false}
            w={110}
          />
          <TextInput
            label={kind === 'user' ? 'Username' : 'Group'}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
          />
          <Select
            label="Role"
            data={roleOptions}
            value={role}
            onChange={(v) => v && setRole(v)}
            allowDeselect={false}
            w={170}
          />
          <Button type="submit" loading={add.isPending}>
            Add
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
