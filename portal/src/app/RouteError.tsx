import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { Link, useRouteError } from 'react-router';

/** Shown instead of a page that failed to render, with a way back. */
export function RouteError() {
  const error = useRouteError();

  return (
    <Center mih="60vh" component="main">
      <Stack align="center">
        <Title order={1} size="h2">
          This page could not be shown
        </Title>
        <Text>{error instanceof Error ? error.message : 'An unexpected error occurred.'}</Text>
        <Button component={Link} to="/projects">
          Back to projects
        </Button>
      </Stack>
    </Center>
  );
}
