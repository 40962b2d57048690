import { Button, Group, PasswordInput, Stack } from '@mantine/core';
import { useInputState } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { put, segment } from '../../api/client';
import { signIn } from '../../api/session';
import type { PasswordChange } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Section } from '../../components/Section';

/** A local account's new password, given with the current one. */
export function PasswordForm({ username }: { username: string }) {
  const [current, setCurrent] = useInputState('');
  const [password, setPassword] = useInputState('');
  const [repeated, setRepeated] = useInputState('');
  const change = useMutation({
    mutationFn: async () => {
      await put(`/users/${segment(username)}/password`, {
        password,
        currentPassword: current,
      } satisfies PasswordChange);
      // A new password ends every token issued before, this tab's too: sign in again with it.
      await signIn(username, password);
    },
    onSuccess: () => {
      setCurrent('');
      setPassword('');
      setRepeated('');
      notifications.show({ message: 'Password changed', color: 'teal' });
    },
  });
  const differs = repeated !== '' && repeated !== password;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate();
  };

  return (
    <Section title="Password">
      <form onSubmit={submit}>
        <Stack maw={420}>
          <ErrorNotice error={change.error} />
          {/* Tells password managers whose password this is. */}
          <input
            type="text"
            name="username"
            autoComplete="username"
            value={username}
            readOnly
            hidden
          />
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            value={current}
            onChange={setCurrent}
            required
          />
          <PasswordInput
            label="New password"
            description="Other browsers and registry clients signed in as you must sign in again"
            autoComplete="new-password"
            value={password}
            onChange={setPassword}
            required
          />
          <PasswordInput
            label="New password again"
            autoComplete="new-password"
            value={repeated}
            onChange={setRepeated}
            error={differs ? 'The two new passwords differ' : undefined}
            required
          />
          <Group>
            <Button
              type="submit"
              loading={change.isPending}
              disabled={password === '' || repeated !== password}
            >
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Section>
  );
}
