import { Button, Group, NumberInput, Select, Stack, Switch, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { put, segment } from '../../api/client';
import type { Quota, QuotaUpdate } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useQuota } from './queries';

const units = { MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 } as const;
type Unit = keyof typeof units;

/** A limit in the largest unit that holds it whole; in MiB when none does. */
function amountOf(bytes: number): { amount: number; unit: Unit } {
  const unit = (['TiB', 'GiB'] as const).find((u) => bytes >= units[u] && bytes % units[u] === 0);
  const chosen = unit ?? 'MiB';

  return { amount: Number((bytes / units[chosen]).toFixed(2)), unit: chosen };
}

/**
 * A project's storage limit and the share of it at which a quota.warning event is recorded.
 * Only system administrators may change either (docs/access-control.md, "Quotas").
 */
export function QuotaForm({ project }: { project: string }) {
  const quota = useQuota(project);
  if (!quota.data) return <ErrorNotice error={quota.error} />;

  // A new form for each saved limit, so that it starts from what the server holds.
  const { limitBytes, warning } = quota.data;
  return <QuotaFields key={`${limitBytes}:${warning}`} project={project} quota={quota.data} />;
}

function QuotaFields({ project, quota }: { project: string; quota: Quota }) {
  const queryClient = useQueryClient();
  const initial = amountOf(quota.limitBytes ?? 10 * units.GiB);
  const [limited, setLimited] = useState(quota.limitBytes !== null);
  const [amount, setAmount] = useState<number | string>(initial.amount);
  const [unit, setUnit] = useState<Unit>(initial.unit);
  const [percent, setPercent] = useState<number | string>(Math.round(quota.warning * 100));

  const save = useMutation({
    mutationFn: () =>
      put<Quota>(`/projects/${segment(project)}/quota`, {
        limitBytes: limited ? Math.round(Number(amount) * units[unit]) : null,
        warning: Number(percent) / 100,
      } satisfies QuotaUpdate),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['project', project] });
      notifications.show({ message: 'Quota saved', color: 'teal' });
    },
  });
  const ready = (!limited || amount !== '') && percent !== '';

  return (
    <Stack>
      <Text size="sm">
        A push that would take the project over its limit is refused. Only system administrators
        change the quota.
      </Text>
      <ErrorNotice error={save.error} />
      <Switch
        label="Limit this project's storage"
        checked={limited}
        onChange={(e) => setLimited(e.currentTarget.checked)}
      />
      <Group align="flex-end">
        <NumberInput
          label="Limit"
          min={0}
          decimalScale={2}
          value={amount}
          onChange={setAmount}
          disabled={!limited}
          w={160}
        />
        <Select
          label="Unit"
          data={Object.keys(units)}
          value={unit}
          onChange={(value) => value && setUnit(value as Unit)}
          allowDeselect={false}
          disabled={!limited}
          w={100}
        />
      </Group>
      <NumberInput
        label="Warn at (% of the limit)"
        description="Recorded in the audit log as quota.warning when usage passes it"
        min={1}
        max={100}
        allowDecimal={false}
        value={percent}
        onChange={setPercent}
        w={360}
      />
      <Group>
        <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!ready}>
          Save quota
        </Button>
      </Group>
    </Stack>
  );
}
