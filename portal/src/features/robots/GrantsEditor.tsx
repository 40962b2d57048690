import {
  ActionIcon,
  Autocomplete,
  Button,
  Fieldset,
  Group,
  MultiSelect,
  Stack,
  TagsInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPlus, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/client';
import { robotActions, type Grant, type Listing, type Project } from '../../api/types';

/** One grant as the form holds it: a project, the actions allowed there, optional patterns. */
export interface GrantRow {
  project: string;
  actions: string[];
  repositories: string[];
}

export function newGrant(): GrantRow {
  return { project: '', actions: ['pull'], repositories: [] };
}

/** The grants to send: patterns only where some were given, as the API reads none as all. */
export function grantsOf(rows: GrantRow[]): Grant[] {
  return rows.map((row) => ({
    project: row.project.trim(),
    actions: row.actions,
    ...(row.repositories.length > 0 ? { repositories: row.repositories } : {}),
  }));
}

/** Whether every grant names a project and at least one action. */
export function grantsReady(rows: GrantRow[]): boolean {
  return (
    rows.length > 0 && rows.every((row) => row.project.trim() !== '' && row.actions.length > 0)
  );
}

/**
 * A system robot's grants, one box per project: the project (or * for every project), the
 * actions allowed there, and optionally repository patterns below it.
 */
export function GrantsEditor(props: { rows: GrantRow[]; onChange: (rows: GrantRow[]) => void }) {
  const { rows, onChange } = props;
  const set = (index: number, change: Partial<GrantRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));

  return (
    <Stack gap="sm">
      {rows.map((row, index) => (
        <Fieldset key={index} legend={`Grant ${index + 1}`} variant="filled">
          <Stack gap="xs">
            <Group align="flex-end" wrap="nowrap">
              <ProjectInput value={row.project} onChange={(project) => set(index, { project })} />
              <ActionIcon
                variant="subtle"
                color="red"
                size="lg"
                aria-label={`Remove grant ${index + 1}`}
                disabled={rows.length === 1}
                onClick={() => onChange(rows.filter((_, i) => i !== index))}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
            <MultiSelect
              label="Permissions"
              data={[...robotActions]}
              value={row.actions}
              onChange={(actions) => set(index, { actions })}
              required
            />
            <TagsInput
              label="Repositories"
              description="Optional patterns below the project (web/*, **); none for all of it"
              value={row.repositories}
              onChange={(repositories) => set(index, { repositories })}
            />
          </Stack>
        </Fieldset>
      ))}
      <Button
        variant="subtle"
        leftSection={<IconPlus size={16} />}
        onClick={() => onChange([...rows, newGrant()])}
        w="fit-content"
      >
        Add a project
      </Button>
    </Stack>
  );
}

/** A project name, suggested from the projects whose names match what is typed so far. */
function ProjectInput(props: { value: string; onChange: (value: string) => void }) {
  const [search] = useDebouncedValue(props.value.trim(), 250);
  const projects = useQuery({
    queryKey: ['projects', 'names', search],
    queryFn: () => get<Listing<Project>>('/projects', { search, pageSize: 20 }),
    staleTime: 30_000,
    enabled: search !== '*',
  });
  const names = projects.data?.items.map((project) => project.name) ?? [];

  return (
    <Autocomplete
      label="Project"
      description="A project name, or * for every project"
      value={props.value}
      onChange={props.onChange}
      data={names}
      required
      flex={1}
    />
  );
}
