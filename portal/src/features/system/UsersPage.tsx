import {
  Badge,
  Button,
  Group,
  Modal,
  PasswordInput,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { del, get, patch, post, segment } from '../../api/client';
import type { Listing, User } from '../../api/types';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatTime } from '../../components/format';
import { useListParams } from '../../components/listParams';
import { LoadingRows } from '../../components/LoadingRows';
import { PageHeader } from '../../components/PageHeader';
import { Pager } from '../../components/Pager';
import { SearchBox } from '../../components/SearchBox';

export function UsersPage() {
  const list = useListParams();
  const queryClient = useQueryClient();
  const users = useQuery({
    queryKey: ['users', list.query, list.page, list.pageSize],
    queryFn: () =>
      get<Listing<User>>('/users', {
        search: list.query,
        page: list.page,
        pageSize: list.pageSize,
      }),
    placeholderData: keepPreviousData,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const update = useMutation({
    mutationFn: (change: { username: string; admin?: boolean; disabled?: boolean }) =>
      patch(`/users/${segment(change.username)}`, {
        admin: change.admin,
        disabled: change.disabled,
      }),
    onSuccess: refresh,
  });

  return (
    <Stack>
      <PageHeader title="Users" actions={<CreateUserButton onCreated={refresh} />} />
      <SearchBox value={list.search} onChange={list.setSearch} label="Search users" />
      <ErrorNotice error={users.error ?? update.error} />
      <Table.ScrollContainer minWidth={760}>
        <Table striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>User</Table.Th>
              <Table.Th>Source</Table.Th>
              <Table.Th>Administrator</Table.Th>
              <Table.Th>Disabled</Table.Th>
              <Table.Th>Last sign-in</Table.Th>
              <Table.Th>Delete</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.isPending && <LoadingRows columns={6} />}
            {users.data?.items.map((user) => (
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
                <Table.Td>
                  <Text size="sm">{formatTime(user.lastLoginAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <ConfirmButton
                    size="xs"
                    text="Delete"
                    label={`Delete ${user.username}`}
                    message={`${user.username} can no longer sign in; their memberships go too.`}
                    onConfirm={async () => {
                      await del(`/users/${segment(user.username)}`);
                      await refresh();
                    }}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {users.data && (
        <Pager
          total={users.data.total}
          page={list.page}
          pageSize={list.pageSize}
          onPage={list.setPage}
          onPageSize={list.setPageSize}
          noun="users"
        />
      )}
    </Stack>
  );
}

function CreateUserButton({ onCreated }: { onCreated: () => Promise<unknown> }) {
  const [opened, { open, close }] = useDisclosure(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const [admin, setAdmin] = useState(false);
  const create = useMutation({
    mutationFn: () => post<User>('/users', { username, password, email: email || null, admin }),
    onSuccess: async () => {
      await onCreated();
      setUsername('');
      setPassword('');
      close();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };

  return (
    <>
      <Button onClick={open}>New user</Button>
      <Modal opened={opened} onClose={close} title="New user" centered>
        <form onSubmit={submit}>
          <Stack>
            <ErrorNotice error={create.error} />
            <TextInput
              label="Username"
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
              required
              data-autofocus
            />
            <PasswordInput
              label="Password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              required
            />
            <TextInput
              label="Email"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <Switch
              label="System administrator"
              checked={admin}
              onChange={(e) => setAdmin(e.currentTarget.checked)}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending}>
                Create
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
