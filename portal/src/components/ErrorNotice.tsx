import { Alert } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';

export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);

  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle />}
      title="Something went wrong"
      role="alert"
    >
      {message}
    </Alert>
  );
}
