import {
  Button,
  Group,
  Select,
  Stack,
  Table,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useInputState } from '@mantine/hooks';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { put, segment } from '../../api/client';
import { projectRoles, type Member } from '../../api/types';
import { DeleteCell, TimeCell } from '../../components/cells';
import { DataTable } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useProjectPermission } from './permissions';
import { useProjectList, useProjectName } from './queries';

const roleOptions = projectRoles.map((role) => ({ value: role, label: role }));
const columns = ['Member', 'Kind', 'Role', 'Since'];

/** The project's members with their roles; changed, removed and added by those who may. */
export function MembersTab() {
  const project = useProjectName();
  const { query: members, refresh } = useProjectList<Member>(project, 'members');
  const manage = useProjectPermission(project)('manage-members');
  const memberPath = (m: Pick<Member, 'kind' | 'name'>) =>
    `/projects/${segment(project)}/members/${m.kind}/${segment(m.name)}`;
  const setRole = useMutation({
    mutationFn: (m: Pick<Member, 'kind' | 'name' | 'role'>) => put(memberPath(m), { role: m.role }),
    onSuccess: refresh,
  });

  return (
    <Stack>
      <ErrorNotice error={members.error ?? setRole.error} />
      <DataTable
        columns={manage ? [...columns, <VisuallyHidden>Actions</VisuallyHidden>] : columns}
      >
        {members.data?.map((member) => (
          <Table.Tr key={`${member.kind}:${member.name}`}>
            <Table.Td>{member.name}</Table.Td>
            <Table.Td>{member.kind}</Table.Td>
            <Table.Td>
              {manage ? (
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
              ) : (
                member.role
              )}
            </Table.Td>
            <TimeCell value={member.createdAt} />
            {manage && (
              <DeleteCell
                text="Remove"
                label={`Remove ${member.name}`}
                message={`${member.name} loses the ${member.role} role in ${project}.`}
                path={memberPath(member)}
                onDeleted={refresh}
              />
            )}
          </Table.Tr>
        ))}
      </DataTable>
      {manage && <AddMember project={project} onAdded={refresh} />}
    </Stack>
  );
}

function AddMember(props: { project: string; onAdded: () => Promise<unknown> }) {
  const [kind, setKind] = useState<'user' | 'group'>('user');
  const [name, setName] = useInputState('');
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
            onChange={setName}
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
