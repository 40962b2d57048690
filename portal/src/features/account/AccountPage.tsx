import { Badge, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { get, segment } from '../../api/client';
import type { User } from '../../api/types';
import { useWhoami } from '../../app/whoami';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatTime } from '../../components/format';
import { PageHeader } from '../../components/PageHeader';
import { Fact, Section } from '../../components/Section';
import { CliSecretSection } from './CliSecretSection';
import { PasswordForm } from './PasswordForm';

const sources: Record<User['source'], string> = {
  local: 'a password kept by Berth',
  oidc: 'single sign-on (OpenID Connect)',
  ldap: 'the LDAP directory',
};

/**
 * The signed-in account: who Berth takes it for, and the credential registry clients use with
 * it: the password of a local account, the CLI secret of an OIDC one.
 */
export function AccountPage() {
  const whoami = useWhoami();
  const name = whoami.data?.name ?? '';
  const user = useQuery({
    queryKey: ['user', name],
    queryFn: () => get<User>(`/users/${segment(name)}`),
    enabled: whoami.data?.kind === 'user',
  });

  return (
    <Stack maw={720}>
      <PageHeader title="Your account" />
      <ErrorNotice error={whoami.error ?? user.error} />
      {whoami.data?.kind === 'robot' && (
        <Section title="Robot account">
          <Fact label="Name">{name}</Fact>
          <Text size="sm" mt="sm">
            A robot&apos;s secret is replaced on its project&apos;s Robot accounts tab, or on the
            system&apos;s Robot accounts page.
          </Text>
        </Section>
      )}
      {user.data && <Profile user={user.data} />}
      {user.data?.source === 'local' && <PasswordForm username={user.data.username} />}
      {user.data?.source === 'oidc' && <CliSecretSection username={user.data.username} />}
      {user.data?.source === 'ldap' && (
        <Section title="Password">
          <Text size="sm">
            Your password is kept in the LDAP directory: change it there. Registry clients take the
            same password.
          </Text>
        </Section>
      )}
    </Stack>
  );
}

function Profile({ user }: { user: User }) {
  return (
    <Section title="Profile">
      <Stack gap="xs">
        <Fact label="Username">{user.username}</Fact>
        <Fact label="Name">{user.displayName ?? 'not set'}</Fact>
        <Fact label="E-mail">{user.email ?? 'not set'}</Fact>
        <Fact label="Signs in with">{sources[user.source]}</Fact>
        <Fact label="Groups">
          {user.groups.length === 0 ? (
            'none'
          ) : (
            <Group gap={4}>
              {user.groups.map((group) => (
                <Badge key={group} variant="outline" tt="none">
                  {group}
                </Badge>
              ))}
            </Group>
          )}
        </Fact>
        <Fact label="Administrator">{user.admin ? 'yes' : 'no'}</Fact>
        <Fact label="Last sign-in">{formatTime(user.lastLoginAt)}</Fact>
      </Stack>
    </Section>
  );
}
