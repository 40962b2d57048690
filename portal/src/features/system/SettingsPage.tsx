import { Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery } from '@tanstack/react-query';
import { get, post } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';

/** The effective configuration (without secrets) and the signing-key rotation. */
export function SettingsPage() {
  const settings = useQuery({
    queryKey: ['settings'],
    queryFn: () => get<Record<string, unknown>>('/settings'),
  });
  const rotate = useMutation({
    mutationFn: () => post<{ kid: string }>('/system/signing-keys/rotate'),
    onSuccess: (key) =>
      notifications.show({ message: `New signing key ${key.kid}`, color: 'teal' }),
  });

  return (
    <Stack>
      <PageHeader title="Settings" />
      <ErrorNotice error={settings.error ?? rotate.error} />
      <Paper withBorder p="md" component="section">
        <Title order={2} size="h4" mb="xs">
          Token signing key
        </Title>
        <Text size="sm" mb="sm">
          Rotating signs new tokens with a new key; tokens signed with the old one stay valid until
          they expire.
        </Text>
        <Group>
          <Button variant="default" onClick={() => rotate.mutate()} loading={rotate.isPending}>
            Rotate signing key
          </Button>
        </Group>
      </Paper>
      {settings.data && (
        <Paper withBorder p="md" component="section">
          <Title order={2} size="h4" mb="xs">
            Effective configuration
          </Title>
          <Text size="sm" mb="sm">
            Set in the configuration file, the environment or on the command line
            (docs/configuration.md).
          </Text>
          <Code block tabIndex={0} aria-label="Effective configuration">
            {JSON.stringify(settings.data, null, 2)}
          </Code>
        </Paper>
      )}
    </Stack>
  );
}
