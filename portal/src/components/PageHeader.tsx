import { Anchor, Breadcrumbs, Group, Stack, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

export interface Crumb {
  label: string;
  to?: string;
}

/** A page's breadcrumbs, title and actions. */
export function PageHeader(props: { title: ReactNode; crumbs?: Crumb[]; actions?: ReactNode }) {
  return (
    <Stack gap="xs" mb="md">
      {props.crumbs && (
        <Breadcrumbs aria-label="Breadcrumbs">
          {props.crumbs.map((crumb) =>
            crumb.to ? (
              <Anchor component={Link} to={crumb.to} key={crumb.label} size="sm">
                {crumb.label}
              </Anchor>
            ) : (
              <span key={crumb.label}>{crumb.label}</span>
            ),
          )}
        </Breadcrumbs>
      )}
      <Group justify="space-between" align="center">
        <Title order={1} size="h2" style={{ wordBreak: 'break-all' }}>
          {props.title}
        </Title>
        {props.actions && <Group gap="sm">{props.actions}</Group>}
      </Group>
    </Stack>
  );
}
