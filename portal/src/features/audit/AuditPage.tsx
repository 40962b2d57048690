import { Stack } from '@mantine/core';
import { PageHeader } from '../../components/PageHeader';
import { AuditTable } from './AuditTable';

/** The system-wide audit log (system administrators). */
export function AuditPage() {
  return (
    <Stack>
      <PageHeader title="Audit log" />
      <AuditTable path="/audit" showProject />
    </Stack>
  );
}
