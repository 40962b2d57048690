import { Alert } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useWhoami } from './whoami';

/**
 * A system page, for system administrators. Others reach one only by its address (the
 * navigation does not list it) and get a notice instead of a page whose every call and button
 * the server would refuse.
 */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const whoami = useWhoami().data;
  if (!whoami) return null;

  if (!whoami.admin) {
    return (
      <Alert
        color="gray"
        variant="light"
        icon={<IconLock />}
        title="For administrators"
        role="alert"
      >
        Only system administrators can open this page.
      </Alert>
    );
  }
  return <>{children}</>;
}
