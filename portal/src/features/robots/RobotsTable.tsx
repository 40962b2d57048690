import { Badge, Group, Stack, Switch, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMutation, type UseQueryResult } from '@tanstack/react-query';
import { del, patch, post, segment } from '../../api/client';
import type { Robot } from '../../api/types';
import { TimeCell } from '../../components/cells';
import { ConfirmButton } from '../../components/ConfirmButton';
import { DataTable } from '../../components/DataTable';
import { ErrorNotice } from '../../components/ErrorNotice';
import { FormDialog } from '../../components/FormDialog';
import { StatusBadge } from '../../components/StatusBadge';
import { RobotSecret } from './RobotFields';

const columns = ['Name', 'Permissions', 'Expires', 'Last used', 'Disabled'];

interface RobotsTableProps {
  robots: UseQueryResult<Robot[]>;
  /** Loads the robots again after one changed. */
  onChanged: () => Promise<unknown>;
  /** What to say when there are none. */
  empty: string;
  /** Shows the robots without the means to change them, for those who may only look. */
  readOnly?: boolean;
}

/**
 * Robot accounts with what each may do where, and what can be done to them: a new secret,
 * disabling, deleting. A project's robots and the system's alike.
 */
export function RobotsTable({ robots, onChanged, empty, readOnly = false }: RobotsTableProps) {
  const update = useMutation({
    mutationFn: ({ name, disabled }: { name: string; disabled: boolean }) =>
      patch<Robot>(`/robots/${segment(name)}`, { disabled }),
    onSuccess: onChanged,
  });

  return (
    <Stack>
      <ErrorNotice error={robots.error ?? update.error} />
      <DataTable
        columns={readOnly ? columns : [...columns, <VisuallyHidden>Actions</VisuallyHidden>]}
        minWidth={820}
        loading={robots.isPending}
      >
        {robots.data?.map((robot) => (
          <Table.Tr key={robot.name}>
            <Table.Td>
              <Text size="sm" ff="monospace">
                {robot.name}
              </Text>
              {robot.description && <Text size="xs">{robot.description}</Text>}
              {/* Expired as of when the list was loaded: rendering stays pure. */}
              {robot.expiresAt !== null && Date.parse(robot.expiresAt) <= robots.dataUpdatedAt && (
                <StatusBadge tone="bad">expired</StatusBadge>
              )}
            </Table.Td>
            <Table.Td>
              <Grants grants={robot.grants} />
            </Table.Td>
            <TimeCell value={robot.expiresAt} />
            <TimeCell value={robot.lastUsedAt} />
            <Table.Td>
              <Switch
                aria-label={`${robot.name} is disabled`}
                checked={robot.disabled}
                disabled={readOnly}
                onChange={(e) =>
                  update.mutate({ name: robot.name, disabled: e.currentTarget.checked })
                }
              />
            </Table.Td>
            {!readOnly && (
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <NewSecretButton robot={robot.name} />
                  <ConfirmButton
                    size="xs"
                    text="Delete"
                    label={`Delete ${robot.name}`}
                    message="The robot's secret stops working at once."
                    onConfirm={async () => {
                      await del(`/robots/${segment(robot.name)}`);
                      await onChanged();
                    }}
                  />
                </Group>
              </Table.Td>
            )}
          </Table.Tr>
        ))}
      </DataTable>
      {robots.data?.length === 0 && <Text>{empty}</Text>}
    </Stack>
  );
}

/** Each grant on a line: where ("every project" for *), which repositories, which actions. */
function Grants({ grants }: { grants: Robot['grants'] }) {
  return (
    <Stack gap={4}>
      {grants.map((grant, index) => (
        <Group key={index} gap={4}>
          <Text size="sm" fw={500}>
            {grant.project === '*' ? 'every project' : grant.project}
            {grant.repositories?.length ? ` (${grant.repositories.join(', ')})` : ''}
          </Text>
          {grant.actions.map((action) => (
            <Badge key={action} variant="outline" tt="none">
              {action}
            </Badge>
          ))}
        </Group>
      ))}
    </Stack>
  );
}

/** Replaces a robot's secret once the user confirms, and shows the new one this once. */
function NewSecretButton({ robot }: { robot: string }) {
  const rotate = useMutation({
    mutationFn: () => post<{ secret: string }>(`/robots/${segment(robot)}/secret`),
  });

  return (
    <FormDialog
      title={`New secret for ${robot}`}
      text="New secret"
      button={{ size: 'xs', variant: 'default' }}
      submission={rotate}
      submitText="Replace the secret"
      result={(answer) => <RobotSecret name={robot} secret={answer.secret} />}
      onClose={rotate.reset}
    >
      <Text size="sm">
        The current secret stops working at once, and so do the tokens it got: whatever signs in as
        this robot needs the new one.
      </Text>
    </FormDialog>
  );
}
