import {
  Alert,
  Button,
  Center,
  Divider,
  Paper,
  PasswordInput,
  Stack,
  TextInput,
  Title,
} from '@mantine/core';
import { useInputState } from '@mantine/hooks';
import { useMutation, useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { currentSession, signIn } from '../../api/session';
import { oidcLoginUrl, signInMethods } from './oidc';

/** Only paths of the portal itself are followed after signing in. */
function safeNext(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/projects';
}

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  const methods = useQuery({
    queryKey: ['sign-in-methods'],
    queryFn: signInMethods,
    staleTime: Infinity,
  });
  const oidc = methods.data?.oidc;
  const [username, setUsername] = useInputState('');
  const [password, setPassword] = useInputState('');
  const login = useMutation({
    mutationFn: () => signIn(username, password),
    onSuccess: () => navigate(next, { replace: true }),
  });

  if (currentSession()) return <Navigate to={next} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };

  return (
    <Center mih="100vh" component="main">
      <Paper withBorder shadow="sm" p="xl" w={380}>
        <form onSubmit={submit}>
          <Stack>
            <Title order={1} size="h2">
              Sign in to Berth
            </Title>
            {login.error && (
              <Alert color="red" role="alert">
                {login.error.message}
              </Alert>
            )}
            <TextInput
              label="Username"
              name="username"
              autoComplete="username"
              value={username}
              onChange={setUsername}
              required
              data-autofocus
            />
            <PasswordInput
              label="Password"
              name="password"
              autoComplete="current-password"
              value={password}
              onChange={setPassword}
              required
            />
            <Button type="submit" loading={login.isPending}>
              Sign in
            </Button>
            {oidc && (
              <>
                <Divider label="or" labelPosition="center" />
                <Button component="a" href={oidcLoginUrl(oidc.loginUrl, next)} variant="default">
                  {oidc.label}
                </Button>
              </>
            )}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
