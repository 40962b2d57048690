import { Stack, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { post } from '../../api/client';
import { signIn } from '../../api/session';
import type { CliSecret } from '../../api/types';
import { registryHost } from '../../components/format';
import { FormDialog } from '../../components/FormDialog';
import { Section } from '../../components/Section';
import { ShownOnce } from '../../components/ShownOnce';

/**
 * An OIDC account's CLI secret: registry clients cannot follow a browser sign-in, so they sign
 * in with the username and this secret (docs/access-control.md, "CLI secrets").
 */
export function CliSecretSection({ username }: { username: string }) {
  const regenerate = useMutation({
    mutationFn: async () => {
      const answer = await post<CliSecret>('/users/me/cli-secret');
      // The new secret ends every token issued before, this tab's too; the secret itself signs
      // the tab in again. Should that fail, the secret is shown all the same, and the next page
      // asks to sign in.
      await signIn(answer.username, answer.secret).catch(() => null);
      return answer;
    },
  });

  return (
    <Section title="CLI secret">
      <Stack gap="sm" align="flex-start">
        <Text size="sm">
          Docker, Podman, skopeo and the berth CLI sign in as <b>{username}</b> with a CLI secret as
          the password. Berth keeps only a hash of it, so it cannot show it again: make a new one
          when you need it, and the old one stops working.
        </Text>
        <FormDialog
          title="New CLI secret"
          submission={regenerate}
          submitText="Make a new secret"
          result={(answer) => (
            <ShownOnce
              values={[
                { label: 'Username', value: answer.username },
                { label: 'Secret', value: answer.secret },
                {
                  label: 'Login command',
                  value: `docker login ${registryHost()} -u ${answer.username}`,
                },
              ]}
            />
          )}
          onClose={regenerate.reset}
        >
          <Text size="sm">
            Your current CLI secret stops working at once, and so does every sign-in made with it
            (the tokens docker login stored). This page stays signed in.
          </Text>
        </FormDialog>
      </Stack>
    </Section>
  );
}
