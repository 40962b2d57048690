import { Badge, PasswordInput, Stack, Switch, Table, Text, TextInput } from '@mantine/core';
import { useInputState } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { patch, post, segment } from '../../api/client';
import type { User } from '../../api/types';
import { DeleteCell, TimeCell } from '../../components/cells';
import { FormDialog } from '../../components/FormDialog';
import { useListing } from '../../components/listing';
import { ListingTable } from '../../components/ListingTable';
import { PageHeader } from '../../components/PageHeader';
import { SearchBox } from '../../components/SearchBox';

const columns = ['User', 'Source', 'Administrator', 'Disabled', 'Last sign-in', 'Delete'];

interface UserChange {
  username: string;
  admin?: boolean;
  disabled?: boolean;
}

export function UsersPage() {
  const users = useListing<User>(['users'], '/users');
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const update = useMutation({
    mutationFn: ({ username, ...change }: UserChange) =>
      patch(`/users/${segment(username)}`, change),
    onSuccess: refresh,
  });
  const { list } = users;

  return (
    <Stack>
      <PageHeader title="Users" actions={<CreateUserButton onCreated={refresh} />} />
      <SearchBox value={list.search} onChange={list.setSearch} label="Search users" />
      <ListingTable
        listing={users}
        noun="users"
        error={update.error}
        columns={columns}
        minWidth={760}
        hover={false}
      >
        {(user) => (
          <Table.Tr key={user.username}>
            <Table.Td>
              <Text size="sm" fw={500}>
                {user.username}
              </Text>
              {user.email && <Text size="xs">{user.email}</Text>}
            </Table.Td>
            <Table.Td>
              <Badge variant="outline" color="gray">
                {user.source}
              </Badge>
            </Table.Td>
            <Table.Td>
              <Switch
                aria-label={`${user.username} is an administrator`}
                checked={user.admin}
                onChange={(e) =>
                  update.mutate({ username: user.username, admin: e.currentTarget.checked })
                }
              />
            </Table.Td>
            <Table.Td>
              <Switch
                aria-label={`${user.username} is disabled`}
                checked={user.disabled}
                onChange={(e) =>
                  update.mutate({ username: user.username, disabled: e.currentTarget.checked })
                }
              />
            </Table.Td>
            <TimeCell value={user.lastLoginAt} />
            <DeleteCell
              label={`Delete ${user.username}`}
              message={`${user.username} can no longer sign in; their memberships go too.`}
              path={`/users/${segment(user.username)}`}
              onDeleted={refresh}
            />
          </Table.Tr>
        )}
      </ListingTable>
    </Stack>
  );
}

function CreateUserButton({ onCreated }: { onCreated: () => Promise<unknown> }) {
  const [username, setUsername] = useInputState('');
  const [password, setPassword] = useInputState('');
  const [email, setEmail] = useInputState('');
  const [admin, setAdmin] = useInputState(false);
  const create = useMutation({
    mutationFn: () => post<User>('/users', { username, password, email: email || null, admin }),
    onSuccess: async () => {
      await onCreated();
      setUsername('');
      setPassword('');
    },
  });

  return (
    <FormDialog title="New user" submission={create}>
      <TextInput label="Username" value={username} onChange={setUsername} required data-autofocus />
      <PasswordInput label="Password" value={password} onChange={setPassword} required />
      <TextInput label="Email" type="email" value={email} onChange={setEmail} />
      <Switch label="System administrator" checked={admin} onChange={setAdmin} />
    </FormDialog>
  );
}
